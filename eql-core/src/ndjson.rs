//! Reading newline-delimited input one line at a time, with a bound on the
//! length of a line, so that no input can make a reader hold more than that
//! bound in memory.

use std::io::{self, BufRead};

/// What [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum LineRead {
    /// A line, in the buffer.
    Line,
    /// A line longer than the limit, consumed but not kept.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads one line into `buffer`, without its line break (`\n` or `\r\n`).
/// A line longer than `max` bytes is consumed to its end but not kept, and
/// reported as too long.
pub fn read_line(
    reader: &mut impl BufRead,
    buffer: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    let mut too_long = false;
    let mut any = false;
    // Up to two bytes of line break are kept until the end of the line.
    let keep = max + 2;
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(end) => (&available[..=end], true),
            None => (available, available.is_empty()),
        };
        if chunk.is_empty() && !any {
            return Ok(LineRead::End);
        }
        any = true;
        let used = chunk.len();
        if too_long || buffer.len() + chunk.len() > keep {
            too_long = true;
            buffer.clear();
        } else {
            buffer.extend_from_slice(chunk);
        }
        reader.consume(used);
        if done {
            while buffer.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                buffer.pop();
            }
            return Ok(if too_long || buffer.len() > max {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}
