//! The typed event of the seed-rule benches: a process event as a program
//! would hold it, with owned strings, optional fields and arrays, mapped to
//! ECS paths by `#[derive(Event)]`.

use eql_core::Value;
use eql_core::json::DocumentView;
use eql_runtime::Event;

/// A process event with the fields the tunnelling rule reads and a few
/// others that such a struct would carry.
#[derive(Clone, Debug, Default, PartialEq, Event)]
pub struct ProcessEvent {
    #[eql(rename = "@timestamp")]
    pub timestamp: Option<String>,
    pub event: EventMeta,
    pub process: Process,
    pub container: Option<Container>,
    #[eql(rename = "host.os.type")]
    pub host_os_type: Option<String>,
}

/// `event.*`.
#[derive(Clone, Debug, Default, PartialEq, Event)]
pub struct EventMeta {
    pub category: Vec<String>,
    #[eql(rename = "type")]
    pub kind: Vec<String>,
    pub action: Option<String>,
    pub module: Option<String>,
}

/// `process.*`.
#[derive(Clone, Debug, Default, PartialEq, Event)]
pub struct Process {
    pub name: Option<String>,
    pub executable: Option<String>,
    pub args: Vec<String>,
    pub pid: Option<i64>,
    pub parent: Option<Parent>,
}

/// `process.parent.*`.
#[derive(Clone, Debug, Default, PartialEq, Event)]
pub struct Parent {
    pub name: Option<String>,
    pub executable: Option<String>,
}

/// `container.*`.
#[derive(Clone, Debug, Default, PartialEq, Event)]
pub struct Container {
    pub id: Option<String>,
    pub name: Option<String>,
}

impl ProcessEvent {
    /// The event held in a decoded JSON document. A number or boolean in a
    /// string field becomes its keyword text (`5` becomes `"5"`), as
    /// Elasticsearch indexes it, so string predicates see the same text.
    /// Fails when a field that the struct holds once has several values, so
    /// that a converted event always means what the document means.
    pub fn from_document(document: &DocumentView<'_>) -> Result<ProcessEvent, String> {
        let parent_name = one(document, "process.parent.name")?;
        let parent_executable = one(document, "process.parent.executable")?;
        let container_id = one(document, "container.id")?;
        let container_name = one(document, "container.name")?;
        Ok(ProcessEvent {
            timestamp: one(document, "@timestamp")?,
            event: EventMeta {
                category: all(document, "event.category")?,
                kind: all(document, "event.type")?,
                action: one(document, "event.action")?,
                module: one(document, "event.module")?,
            },
            process: Process {
                name: one(document, "process.name")?,
                executable: one(document, "process.executable")?,
                args: all(document, "process.args")?,
                pid: document
                    .values("process.pid")
                    .find_map(|value| match value {
                        Value::Int(n) => Some(n),
                        _ => None,
                    }),
                parent: (parent_name.is_some() || parent_executable.is_some()).then_some(Parent {
                    name: parent_name,
                    executable: parent_executable,
                }),
            },
            container: (container_id.is_some() || container_name.is_some()).then_some(Container {
                id: container_id,
                name: container_name,
            }),
            host_os_type: one(document, "host.os.type")?,
        })
    }
}

fn all(document: &DocumentView<'_>, path: &str) -> Result<Vec<String>, String> {
    document
        .values(path)
        .map(|value| Ok(value.keyword(str::to_owned)))
        .collect()
}

fn one(document: &DocumentView<'_>, path: &str) -> Result<Option<String>, String> {
    let mut values = all(document, path)?;
    match values.len() {
        0 => Ok(None),
        1 => Ok(values.pop()),
        n => Err(format!("`{path}` holds {n} values, the struct one")),
    }
}
