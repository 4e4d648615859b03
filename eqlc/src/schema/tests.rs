use super::*;

/// The schema warnings of `query`, as `"text at span": message (help)`.
fn warnings(query: &str) -> Vec<String> {
    warnings_with(query, &Schema::ecs())
}

fn warnings_with(query: &str, schema: &Schema) -> Vec<String> {
    let options = Options::default();
    let compiled = crate::compile(query, &options).expect("query compiles");
    check_compiled(&compiled, &options, schema)
        .iter()
        .map(|warning| {
            let d = &warning.diagnostic;
            assert!(!d.is_error(), "schema problems are warnings");
            format!(
                "{:?}: {} ({})",
                &query[d.span.range()],
                d.message,
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn the_table_is_ecs() {
    let schema = Schema::ecs();
    assert!(schema.len() > 2500, "{}", schema.len());
    assert_eq!(schema.field_type("process.name"), Some(FieldType::Keyword));
    assert_eq!(
        schema.field_type("process.name.text"),
        Some(FieldType::MatchOnlyText)
    );
    assert_eq!(schema.field_type("process.pid"), Some(FieldType::Long));
    assert_eq!(schema.field_type("@timestamp"), Some(FieldType::Date));
    assert_eq!(schema.field_type("source.ip"), Some(FieldType::Ip));
    assert_eq!(
        schema.field_type("process.command_line"),
        Some(FieldType::Wildcard)
    );
    assert_eq!(schema.field_type("process"), None);
    assert!(
        schema
            .allowed_values("event.category")
            .is_some_and(|values| values.contains(&"process"))
    );
    assert_eq!(
        schema.lookup("labels.team"),
        Lookup::InObject { object: "labels" }
    );
    assert_eq!(schema.lookup("proces.name"), Lookup::Unknown);
}

#[test]
fn ecs_fields_raise_nothing() {
    assert_eq!(
        warnings(
            r#"process where event.type == "start" and process.name : ("ssh", "ssh*")
               and process.args_count > 2 and process.pid != 4 and
               cidrMatch(source.ip, "10.0.0.0/8") and process.interactive == true and
               process.interactive and length(process.name) > 1 and
               process.pid + 1 > 2 and labels.team == "x" and host.ip == "10.0.0.1""#
        ),
        Vec::<String>::new()
    );
}

#[test]
fn unknown_fields_are_named_with_a_suggestion() {
    assert_eq!(
        warnings(r#"process where proces.name == "ssh""#),
        [r#""proces.name": `proces.name` is not an ECS field (did you mean `process.name`?)"#]
    );
    assert_eq!(
        warnings(r#"process where my.own.field == "x""#),
        [
            r#""my.own.field": `my.own.field` is not an ECS field (if your events have this field, write `?my.own.field` to say that some may not)"#
        ]
    );
    assert_eq!(
        warnings(r#"process where ?my.own.field == "x""#),
        Vec::<String>::new()
    );
}

#[test]
fn text_operators_on_other_types() {
    assert_eq!(
        warnings(r#"process where process.pid : "12*""#),
        [
            r#""process.pid": `:` matches text, but `process.pid` is a `long` field (compare numbers with `==`, `in` or `<`: `process.pid == 4`)"#
        ]
    );
    assert_eq!(
        warnings(r#"process where process.interactive regex "t.*""#),
        [
            r#""process.interactive": `regex` matches text, but `process.interactive` is a `boolean` field (write `process.interactive == true` or `process.interactive == false`)"#
        ]
    );
    assert_eq!(
        warnings(r#"network where source.ip like "10.*""#),
        [
            r#""source.ip": `like` matches text, but `source.ip` is an `ip` field (compare addresses with `==` or match networks with `cidrMatch(source.ip, "10.0.0.0/8")`)"#
        ]
    );
}

#[test]
fn cidr_match_wants_an_ip_field() {
    assert_eq!(
        warnings(r#"network where cidrMatch(destination.domain, "10.0.0.0/8")"#),
        [
            r#""destination.domain": `cidrMatch` expects an `ip` field, but `destination.domain` is a `keyword` field (match an `ip` field such as `source.ip`, or compare text with `:`)"#
        ]
    );
}

#[test]
fn comparisons_of_mismatched_types() {
    assert_eq!(
        warnings("process where process.name > 5"),
        [
            r#""process.name > 5": `>` orders `process.name`, a `keyword` field, as text, not as a number ("10" < "9") (compare it with a string, or order a numeric field)"#
        ]
    );
    assert_eq!(
        warnings("process where 5 < process.name"),
        [
            r#""5 < process.name": `>` orders `process.name`, a `keyword` field, as text, not as a number ("10" < "9") (compare it with a string, or order a numeric field)"#
        ]
    );
    assert_eq!(
        warnings(r#"process where process.pid == "init""#),
        [
            r#""\"init\"": `process.pid` is a `long` field; it never equals the string "init" (compare it with a number)"#
        ]
    );
    assert_eq!(
        warnings(r#"process where process.pid == "1""#),
        Vec::<String>::new()
    );
    assert_eq!(
        warnings("process where process.interactive in (true, 1)"),
        [
            r#""1": `process.interactive` is a `boolean` field; it never equals the number `1` (compare it with `true` or `false`)"#
        ]
    );
    assert_eq!(
        warnings(r#"network where source.ip == "localhost""#),
        [
            r#""\"localhost\"": `source.ip` is an `ip` field; it never equals the string "localhost" (compare it with an IP address or network in quotes)"#
        ]
    );
}

#[test]
fn functions_and_arithmetic_read_their_types() {
    assert_eq!(
        warnings(r#"process where startsWith(process.pid, "1")"#),
        [
            r#""process.pid": argument 1 of `startsWith` expects a string, but `process.pid` is a `long` field (convert it with `string(process.pid)`)"#
        ]
    );
    assert_eq!(
        warnings("process where process.name + 1 > 2"),
        [
            r#""process.name": `+` expects a number, but `process.name` is a `keyword` field (convert it with `number(process.name)`)"#
        ]
    );
}

#[test]
fn fields_as_conditions_are_booleans() {
    assert_eq!(
        warnings("process where process.name"),
        [
            r#""process.name": `process.name` is used as a condition, but it is a `keyword` field (compare it with a value, or test that it exists with `process.name != null`)"#
        ]
    );
    assert_eq!(
        warnings("process where not process.interactive"),
        Vec::<String>::new()
    );
}

#[test]
fn categorisation_values_are_those_ecs_allows() {
    assert_eq!(
        warnings(r#"proces where true"#),
        [r#""proces": `proces` is not an ECS value of `event.category` (did you mean `process`?)"#]
    );
    assert_eq!(
        warnings(r#"process where event.type in ("start", "strat")"#),
        [r#""\"strat\"": `strat` is not an ECS value of `event.type` (did you mean `start`?)"#]
    );
    assert_eq!(
        warnings(r#"process where event.type : "START""#),
        Vec::<String>::new()
    );
    assert_eq!(warnings("any where true"), Vec::<String>::new());
}

#[test]
fn integration_fields_are_known_but_untyped() {
    let ecs = Schema::ecs();
    let ecs_only = Schema::ecs_only();
    for prefix in INTEGRATION_PREFIXES {
        let path = format!("{prefix}x");
        assert_eq!(
            ecs.lookup(&path),
            Lookup::Integration { namespace: prefix },
            "{path}"
        );
        assert_eq!(ecs_only.lookup(&path), Lookup::Unknown, "{path}");
        // No integration prefix hides an ECS field.
        let hidden: Vec<&str> = ecs::FIELDS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| name.starts_with(prefix))
            .collect();
        assert_eq!(hidden, Vec::<&str>::new(), "{prefix}");
    }
    for segment in INTEGRATION_SEGMENTS {
        assert!(
            ecs::FIELDS
                .iter()
                .all(|(name, _)| name.split('.').all(|part| part != *segment)),
            "{segment}"
        );
    }
    assert_eq!(
        ecs.lookup("process.parent.Ext.real.pid"),
        Lookup::Integration { namespace: "Ext" }
    );
    assert_eq!(ecs.lookup("process.Extra"), Lookup::Unknown);
    assert_eq!(
        warnings(
            r#"process where winlog.event_data.TargetImage : "*x" and process.Ext.api.name == "y""#
        ),
        Vec::<String>::new()
    );
}
