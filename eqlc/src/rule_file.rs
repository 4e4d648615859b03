//! Detection-rule files in the TOML layout of Elastic's detection-rules
//! repository: a `[metadata]` table, a `[rule]` table with the query and
//! its metadata, and `[[rule.threat]]` tables with MITRE ATT&CK ids.

use serde::Deserialize;

use crate::emit::RuleMeta;

/// The parts of a rule file the compiler uses.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFile {
    pub rule_id: String,
    pub name: String,
    pub description: String,
    pub severity: String,
    pub risk_score: u32,
    /// `eql` for the rules this compiler takes; others are skipped.
    pub language: String,
    pub query: String,
    pub index: Vec<String>,
    /// The field that the category of `process where` is matched against,
    /// when the rule overrides `event.category`.
    pub event_category_override: Option<String>,
    pub tactics: Vec<String>,
    pub techniques: Vec<String>,
    /// Byte offset of the query text within the file, when its string
    /// literal holds it verbatim (always for the `'''` literal strings rule
    /// files use; not when it has escapes), so that errors can name a line
    /// of the file.
    pub query_offset: Option<usize>,
}

/// A rule file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFileError {
    pub message: String,
}

impl std::fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleFileError {}

#[derive(Deserialize)]
struct Document {
    rule: Option<RuleTable>,
}

#[derive(Deserialize)]
struct RuleTable {
    rule_id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    severity: Option<String>,
    risk_score: Option<i64>,
    language: Option<String>,
    query: Option<toml::Spanned<String>>,
    #[serde(default)]
    index: Vec<String>,
    event_category_override: Option<String>,
    #[serde(default)]
    threat: Vec<Threat>,
}

#[derive(Deserialize)]
struct Threat {
    tactic: Option<Tactic>,
    #[serde(default)]
    technique: Vec<Technique>,
}

#[derive(Deserialize)]
struct Tactic {
    id: Option<String>,
}

#[derive(Deserialize)]
struct Technique {
    id: Option<String>,
    #[serde(default)]
    subtechnique: Vec<Technique>,
}

/// Reads a rule file's text.
pub fn parse_rule_file(text: &str) -> Result<RuleFile, RuleFileError> {
    let document: Document = toml::from_str(text).map_err(|error| {
        let at = match error.span() {
            Some(span) => {
                let position = crate::Position::of(text, span.start);
                format!(" at line {}, column {}", position.line, position.column)
            }
            None => String::new(),
        };
        RuleFileError {
            message: format!("invalid TOML{at}: {}", error.message().trim_end()),
        }
    })?;
    let rule = document.rule.ok_or_else(|| RuleFileError {
        message: "the file has no `[rule]` table".into(),
    })?;
    let missing = |key: &str| RuleFileError {
        message: format!("the `[rule]` table has no `{key}`"),
    };
    let query = rule.query.ok_or_else(|| missing("query"))?;
    // The query as written, inside the string literal's span: found only
    // when the literal holds it verbatim (no escapes).
    let literal = query.span();
    let query = query.into_inner();
    let query_offset = text
        .get(literal.clone())
        .and_then(|written| written.find(query.as_str()))
        .map(|at| literal.start + at);
    let risk_score = match rule.risk_score {
        None => 0,
        Some(score) => u32::try_from(score)
            .ok()
            .filter(|score| *score <= 100)
            .ok_or_else(|| RuleFileError {
                message: format!("`risk_score` must be between 0 and 100, found {score}"),
            })?,
    };
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for threat in &rule.threat {
        if let Some(id) = threat.tactic.as_ref().and_then(|t| t.id.clone()) {
            tactics.push(id);
        }
        for technique in &threat.technique {
            techniques.extend(technique.id.clone());
            techniques.extend(technique.subtechnique.iter().filter_map(|s| s.id.clone()));
        }
    }
    tactics.dedup();
    techniques.dedup();
    Ok(RuleFile {
        rule_id: rule.rule_id.ok_or_else(|| missing("rule_id"))?,
        name: rule.name.ok_or_else(|| missing("name"))?,
        description: rule.description.unwrap_or_default(),
        severity: rule.severity.unwrap_or_else(|| "low".into()),
        risk_score,
        language: rule.language.unwrap_or_else(|| "eql".into()),
        query,
        index: rule.index,
        event_category_override: rule.event_category_override,
        tactics,
        techniques,
        query_offset,
    })
}

impl RuleFile {
    /// The metadata that generated code carries into alerts.
    pub fn meta(&self) -> RuleMeta {
        RuleMeta {
            id: self.rule_id.clone(),
            name: self.name.clone(),
            severity: self.severity.clone(),
            risk_score: self.risk_score,
            tactics: self.tactics.clone(),
            techniques: self.techniques.clone(),
            query: self.query.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elastic_layout() {
        let text = r#"
[metadata]
creation_date = "2026/02/10"

[rule]
rule_id = "abc"
name = "A rule"
severity = "medium"
risk_score = 47
language = "eql"
index = ["logs-x*"]
query = '''
process where true
'''

[[rule.threat]]
framework = "MITRE ATT&CK"
[rule.threat.tactic]
id = "TA0011"
[[rule.threat.technique]]
id = "T1572"
[[rule.threat.technique.subtechnique]]
id = "T1572.001"
"#;
        let rule = parse_rule_file(text).expect("valid rule file");
        assert_eq!(rule.rule_id, "abc");
        assert_eq!(rule.risk_score, 47);
        assert_eq!(rule.query, "process where true\n");
        assert_eq!(rule.tactics, ["TA0011"]);
        assert_eq!(rule.techniques, ["T1572", "T1572.001"]);
        assert_eq!(rule.index, ["logs-x*"]);
        let offset = rule.query_offset.expect("query found in file");
        assert!(text[offset..].starts_with("process where true"));
    }

    #[test]
    fn reports_missing_parts() {
        assert_eq!(
            parse_rule_file("[rule]\nname = \"x\"\n")
                .expect_err("no query")
                .message,
            "the `[rule]` table has no `query`"
        );
        assert_eq!(
            parse_rule_file("x = 1").expect_err("no rule").message,
            "the file has no `[rule]` table"
        );
        let error = parse_rule_file("[rule]\nname = \"x\"\nquery = oops\n").expect_err("bad toml");
        assert!(
            error
                .message
                .starts_with("invalid TOML at line 3, column 9: "),
            "{}",
            error.message
        );
    }
}
