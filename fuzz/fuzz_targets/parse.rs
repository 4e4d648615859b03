//! The parser alone: any text gives a syntax tree or a diagnostic whose
//! span lies inside the text, and never a panic or a stack overflow.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match eqlc::parse::parse_query(text) {
        Ok(query) => assert!(query.span.end as usize <= text.len()),
        Err(diagnostic) => {
            assert!(diagnostic.span.start <= diagnostic.span.end);
            assert!(diagnostic.span.end as usize <= text.len());
            // Rendering walks the text around the span.
            let _ = diagnostic.render(text);
        }
    }
    let _ = eqlc::parse::parse_expression(text);
});
