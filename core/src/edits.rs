//! Re-applying an edit made from a stale view onto the record as it is now.
//!
//! An edit dialog remembers what it opened (the base). When the save is refused because someone
//! else changed the record meanwhile, the person's own changes (base → mine) are carried over to
//! the current record (theirs), and what the other person changed (base → theirs) is shown.

/// What changed between two versions of a set: what was added and what was taken away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetChange<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> SetChange<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The members of `after` not in `before`, and of `before` not in `after`, in their order.
pub fn set_change<T: PartialEq + Clone>(before: &[T], after: &[T]) -> SetChange<T> {
    SetChange {
        added: after
            .iter()
            .filter(|x| !before.contains(x))
            .cloned()
            .collect(),
        removed: before
            .iter()
            .filter(|x| !after.contains(x))
            .cloned()
            .collect(),
    }
}

/// The set the person meant: `theirs` with the person's own additions and removals (base →
/// mine) applied. What someone else added stays unless the person removed it too.
pub fn rebase_set<T: PartialEq + Clone>(base: &[T], mine: &[T], theirs: &[T]) -> Vec<T> {
    let own = set_change(base, mine);
    let mut out: Vec<T> = theirs
        .iter()
        .filter(|x| !own.removed.contains(x))
        .cloned()
        .collect();
    for x in own.added {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// The value the person meant: theirs, unless the person changed it from the base.
pub fn rebase_value<T: PartialEq + Clone>(base: &T, mine: &T, theirs: &T) -> T {
    if mine == base {
        theirs.clone()
    } else {
        mine.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_edit_keeps_the_other_persons_grant() {
        // Opened with {a, b}; I removed b and added c; meanwhile someone added d.
        let base = ["a", "b"];
        let mine = ["a", "c"];
        let theirs = ["a", "b", "d"];
        assert_eq!(rebase_set(&base, &mine, &theirs), ["a", "d", "c"]);
        assert_eq!(
            set_change(&base, &theirs),
            SetChange {
                added: vec!["d"],
                removed: vec![]
            }
        );
    }

    #[test]
    fn what_both_removed_stays_removed_and_nothing_is_doubled() {
        assert_eq!(
            rebase_set(&["a", "b"], &["a", "c"], &["a", "c"]),
            ["a", "c"]
        );
        assert_eq!(rebase_set(&["a", "b"], &["b"], &["b"]), ["b"]);
    }

    #[test]
    fn an_unchanged_value_follows_theirs_and_a_changed_one_stays_mine() {
        assert_eq!(rebase_value(&"Nora", &"Nora", &"Nora N."), "Nora N.");
        assert_eq!(rebase_value(&"Nora", &"Nora B.", &"Nora N."), "Nora B.");
    }
}
