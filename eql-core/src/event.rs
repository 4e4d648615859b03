//! How rules read fields of an event.
//!
//! An event type describes itself with a [`Shape`]: a tree of named fields
//! whose leaves are numbered *slots*. A rule resolves each ECS path it reads
//! (`process.args`) to a slot once, at compile time, with the `const fn`
//! [`resolve`]; per event it only calls [`Fields::any_value`] with that
//! constant slot, which the optimiser turns into a direct field access.
//!
//! The same trait serves three kinds of event:
//!
//! - a user's own struct, through `#[derive(Event)]`, where every field's type
//!   implements [`Fields`] too (a leaf such as `String`, `Option<u32>` or
//!   `Vec<&str>`, or a nested struct for a nested object);
//! - a record decoded from one line of JSON with only the fields a rule or a
//!   rule pack reads (see [`crate::json`]);
//! - `Option`, `Vec`, slices, arrays, `Box` and references of any of these.
//!
//! Arrays follow Elasticsearch: a predicate on a multi-valued field holds
//! when it holds for any value, so reading a field means visiting its values
//! until one satisfies the predicate.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::rc::Rc;
use std::sync::Arc;

use crate::value::Value;

/// The slot number that no field has: what an `?optional` field that the
/// event type lacks resolves to. Reading it yields no value.
pub const ABSENT: u32 = u32::MAX;

/// What a type holds: one leaf value (possibly multi-valued) or named fields.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Leaf,
    Record(&'static [FieldEntry]),
}

/// One named field of a record shape.
#[derive(Clone, Copy, Debug)]
pub struct FieldEntry {
    /// The field's name as it appears in ECS paths. It may itself contain
    /// dots (`"image.name"`, or a whole path on a flat record).
    pub name: &'static str,
    pub shape: Shape,
    /// The slot number of this field's first leaf, relative to the record.
    pub first_slot: u32,
}

/// Field access for rules. See the module documentation.
pub trait Fields {
    /// The fields of this type, for [`resolve`].
    const SHAPE: Shape;
    /// How many leaf slots this type has (1 for a leaf).
    const SLOTS: u32;

    /// Calls `visit` with each value of leaf `slot` until it returns `true`;
    /// returns whether it did. A missing or null field has no value, so the
    /// result is `false`.
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool;
}

/// Finds the slot of the leaf at `path` in `shape`, trying every way of
/// splitting the dotted path into field names, as Elasticsearch treats
/// `{"a": {"b.c": 1}}` and `{"a.b": {"c": 1}}` alike.
pub const fn resolve(shape: &Shape, path: &str) -> Option<u32> {
    resolve_bytes(shape, path.as_bytes())
}

const fn resolve_bytes(shape: &Shape, path: &[u8]) -> Option<u32> {
    let entries = match shape {
        Shape::Leaf => return None,
        Shape::Record(entries) => *entries,
    };
    let mut i = 0;
    while i < entries.len() {
        let entry = &entries[i];
        let name = entry.name.as_bytes();
        match entry.shape {
            Shape::Leaf => {
                if bytes_equal(name, path) {
                    return Some(entry.first_slot);
                }
            }
            Shape::Record(_) => {
                if path.len() > name.len()
                    && path[name.len()] == b'.'
                    && bytes_equal(name, path.split_at(name.len()).0)
                {
                    let rest = path.split_at(name.len() + 1).1;
                    if let Some(slot) = resolve_bytes(&entry.shape, rest) {
                        return Some(entry.first_slot + slot);
                    }
                }
            }
        }
        i += 1;
    }
    None
}

const fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The slot of `path`, for generated code: evaluated at compile time, where
/// a panic is a compile error that shows `missing` (or `object`, when the
/// path names a nested record rather than a value).
pub const fn require(shape: &Shape, path: &str, missing: &str, object: &str) -> u32 {
    match resolve(shape, path) {
        Some(slot) => slot,
        None if is_record(shape, path) => panic!("{}", object),
        None => panic!("{}", missing),
    }
}

/// The slot of `path`, or [`ABSENT`] when the type has no such field (for
/// `?optional` fields).
pub const fn optional(shape: &Shape, path: &str) -> u32 {
    match resolve(shape, path) {
        Some(slot) => slot,
        None => ABSENT,
    }
}

/// Whether `path` names a record rather than a leaf (for error messages).
pub const fn is_record(shape: &Shape, path: &str) -> bool {
    matches!(find_shape(shape, path.as_bytes()), Some(Shape::Record(_)))
}

const fn find_shape(shape: &Shape, path: &[u8]) -> Option<Shape> {
    let entries = match shape {
        Shape::Leaf => return None,
        Shape::Record(entries) => *entries,
    };
    let mut i = 0;
    while i < entries.len() {
        let entry = &entries[i];
        let name = entry.name.as_bytes();
        if bytes_equal(name, path) {
            return Some(entry.shape);
        }
        if path.len() > name.len()
            && path[name.len()] == b'.'
            && bytes_equal(name, path.split_at(name.len()).0)
        {
            if let Some(found) = find_shape(&entry.shape, path.split_at(name.len() + 1).1) {
                return Some(found);
            }
        }
        i += 1;
    }
    None
}

macro_rules! leaf {
    ($($ty:ty => |$this:ident| $value:expr;)*) => {$(
        impl Fields for $ty {
            const SHAPE: Shape = Shape::Leaf;
            const SLOTS: u32 = 1;

            #[inline(always)]
            fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
            where
                F: FnMut(Value<'_>) -> bool,
            {
                let $this = self;
                slot == 0 && visit($value)
            }
        }
    )*};
}

leaf! {
    str => |this| Value::Str(this);
    String => |this| Value::Str(this);
    bool => |this| Value::Bool(*this);
    i8 => |this| Value::Int(i64::from(*this));
    i16 => |this| Value::Int(i64::from(*this));
    i32 => |this| Value::Int(i64::from(*this));
    i64 => |this| Value::Int(*this);
    isize => |this| Value::Int(*this as i64);
    u8 => |this| Value::Int(i64::from(*this));
    u16 => |this| Value::Int(i64::from(*this));
    u32 => |this| Value::Int(i64::from(*this));
    u64 => |this| match i64::try_from(*this) {
        Ok(n) => Value::Int(n),
        Err(_) => Value::UInt(*this),
    };
    usize => |this| match i64::try_from(*this) {
        Ok(n) => Value::Int(n),
        Err(_) => Value::UInt(*this as u64),
    };
    f32 => |this| Value::Float(f64::from(*this));
    f64 => |this| Value::Float(*this);
    IpAddr => |this| Value::Ip(*this);
    Ipv4Addr => |this| Value::Ip(IpAddr::V4(*this));
    Ipv6Addr => |this| Value::Ip(IpAddr::V6(*this));
}

impl Fields for Cow<'_, str> {
    const SHAPE: Shape = Shape::Leaf;
    const SLOTS: u32 = 1;

    #[inline(always)]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        slot == 0 && visit(Value::Str(self))
    }
}

impl<T: Fields + ?Sized> Fields for &T {
    const SHAPE: Shape = T::SHAPE;
    const SLOTS: u32 = T::SLOTS;

    #[inline(always)]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        (**self).any_value(slot, visit)
    }
}

macro_rules! pointer {
    ($($ptr:ident),*) => {$(
        impl<T: Fields + ?Sized> Fields for $ptr<T> {
            const SHAPE: Shape = T::SHAPE;
            const SLOTS: u32 = T::SLOTS;

            #[inline(always)]
            fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
            where
                F: FnMut(Value<'_>) -> bool,
            {
                (**self).any_value(slot, visit)
            }
        }
    )*};
}

pointer!(Box, Rc, Arc);

impl<T: Fields> Fields for Option<T> {
    const SHAPE: Shape = T::SHAPE;
    const SLOTS: u32 = T::SLOTS;

    #[inline(always)]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        match self {
            Some(inner) => inner.any_value(slot, visit),
            None => false,
        }
    }
}

impl<T: Fields> Fields for [T] {
    const SHAPE: Shape = T::SHAPE;
    const SLOTS: u32 = T::SLOTS;

    #[inline]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        self.iter().any(|item| item.any_value(slot, visit))
    }
}

impl<T: Fields, const N: usize> Fields for [T; N] {
    const SHAPE: Shape = T::SHAPE;
    const SLOTS: u32 = T::SLOTS;

    #[inline]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        self.as_slice().any_value(slot, visit)
    }
}

impl<T: Fields> Fields for Vec<T> {
    const SHAPE: Shape = T::SHAPE;
    const SLOTS: u32 = T::SLOTS;

    #[inline]
    fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
    where
        F: FnMut(Value<'_>) -> bool,
    {
        self.as_slice().any_value(slot, visit)
    }
}

/// Reads every value of `slot` into a callback; a convenience for code that
/// needs all values rather than "any".
pub fn for_each_value<E: Fields + ?Sized>(event: &E, slot: u32, mut each: impl FnMut(Value<'_>)) {
    event.any_value(slot, &mut |value| {
        each(value);
        false
    });
}

/// Whether `slot` holds at least one value (`field != null`).
#[inline(always)]
pub fn exists<E: Fields + ?Sized>(event: &E, slot: u32) -> bool {
    event.any_value(slot, &mut |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Parent {
        name: Option<String>,
    }

    struct Process {
        name: String,
        args: Vec<&'static str>,
        parent: Parent,
    }

    struct Event {
        process: Process,
        container_id: Option<String>,
    }

    impl Fields for Parent {
        const SHAPE: Shape = Shape::Record(&[FieldEntry {
            name: "name",
            shape: <Option<String> as Fields>::SHAPE,
            first_slot: 0,
        }]);
        const SLOTS: u32 = 1;

        fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
        where
            F: FnMut(Value<'_>) -> bool,
        {
            self.name.any_value(slot, visit)
        }
    }

    impl Fields for Process {
        const SHAPE: Shape = Shape::Record(&[
            FieldEntry {
                name: "name",
                shape: Shape::Leaf,
                first_slot: 0,
            },
            FieldEntry {
                name: "args",
                shape: Shape::Leaf,
                first_slot: 1,
            },
            FieldEntry {
                name: "parent",
                shape: Parent::SHAPE,
                first_slot: 2,
            },
        ]);
        const SLOTS: u32 = 3;

        fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
        where
            F: FnMut(Value<'_>) -> bool,
        {
            match slot {
                0 => self.name.any_value(0, visit),
                1 => self.args.any_value(0, visit),
                2 => self.parent.any_value(0, visit),
                _ => false,
            }
        }
    }

    impl Fields for Event {
        const SHAPE: Shape = Shape::Record(&[
            FieldEntry {
                name: "process",
                shape: Process::SHAPE,
                first_slot: 0,
            },
            FieldEntry {
                name: "container.id",
                shape: Shape::Leaf,
                first_slot: 3,
            },
        ]);
        const SLOTS: u32 = 4;

        fn any_value<F>(&self, slot: u32, visit: &mut F) -> bool
        where
            F: FnMut(Value<'_>) -> bool,
        {
            if slot < 3 {
                self.process.any_value(slot, visit)
            } else if slot == 3 {
                self.container_id.any_value(0, visit)
            } else {
                false
            }
        }
    }

    const ARGS: Option<u32> = resolve(&Event::SHAPE, "process.args");

    #[test]
    fn resolves_nested_and_dotted_paths_at_compile_time() {
        assert_eq!(ARGS, Some(1));
        assert_eq!(resolve(&Event::SHAPE, "process.name"), Some(0));
        assert_eq!(resolve(&Event::SHAPE, "process.parent.name"), Some(2));
        assert_eq!(resolve(&Event::SHAPE, "container.id"), Some(3));
        assert_eq!(resolve(&Event::SHAPE, "container"), None);
        assert_eq!(resolve(&Event::SHAPE, "process"), None);
        assert_eq!(resolve(&Event::SHAPE, "process.nam"), None);
        assert_eq!(resolve(&Event::SHAPE, "process.name.x"), None);
        assert!(is_record(&Event::SHAPE, "process.parent"));
        assert!(!is_record(&Event::SHAPE, "process.name"));
    }

    #[test]
    fn arrays_are_visited_until_one_value_matches() {
        let event = Event {
            process: Process {
                name: "ssh".into(),
                args: vec!["ssh", "-L", "8080:localhost:80"],
                parent: Parent { name: None },
            },
            container_id: Some(String::new()),
        };
        let mut seen = Vec::new();
        let found = event.any_value(1, &mut |value| {
            seen.push(format!("{value:?}"));
            value == Value::Str("-L")
        });
        assert!(found);
        assert_eq!(seen, ["\"ssh\"", "\"-L\""]);
        assert!(!exists(&event, 2));
        assert!(exists(&event, 3));
        assert!(!exists(&event, ABSENT));
    }
}
