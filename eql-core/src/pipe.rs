//! The `head` and `tail` pipes, applied to a query's results in order.

/// One pipe of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pipe {
    /// `| head N`: the first N results.
    Head(u64),
    /// `| tail N`: the last N results.
    Tail(u64),
}

/// Applies `pipes` left to right to results in stream order.
pub fn apply<T>(pipes: &[Pipe], mut results: Vec<T>) -> Vec<T> {
    for pipe in pipes {
        match *pipe {
            Pipe::Head(n) => results.truncate(usize::try_from(n).unwrap_or(usize::MAX)),
            Pipe::Tail(n) => {
                let keep = usize::try_from(n).unwrap_or(usize::MAX);
                if results.len() > keep {
                    results.drain(..results.len() - keep);
                }
            }
        }
    }
    results
}

/// How many results a stream may still emit before the pipes have nothing
/// more to take, when that is known without seeing the end (only leading
/// `head` pipes bound it).
pub fn head_limit(pipes: &[Pipe]) -> Option<u64> {
    let mut limit: Option<u64> = None;
    for pipe in pipes {
        match *pipe {
            Pipe::Head(n) => limit = Some(limit.map_or(n, |l| l.min(n))),
            Pipe::Tail(_) => return limit,
        }
    }
    limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_compose_left_to_right() {
        let results: Vec<u32> = (1..=10).collect();
        assert_eq!(
            apply(&[Pipe::Head(4), Pipe::Tail(2)], results.clone()),
            [3, 4]
        );
        assert_eq!(apply(&[Pipe::Tail(2), Pipe::Head(1)], results.clone()), [9]);
        assert_eq!(
            apply(&[Pipe::Head(3), Pipe::Head(5)], results.clone()),
            [1, 2, 3]
        );
        assert_eq!(apply(&[Pipe::Tail(3)], results.clone()), [8, 9, 10]);
        assert_eq!(apply(&[], results), (1..=10).collect::<Vec<_>>());
        assert_eq!(
            head_limit(&[Pipe::Head(5), Pipe::Head(2), Pipe::Tail(1)]),
            Some(2)
        );
        assert_eq!(head_limit(&[Pipe::Tail(1), Pipe::Head(2)]), None);
    }
}
