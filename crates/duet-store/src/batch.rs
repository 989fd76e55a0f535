//! Statements for a batch of rows (group commit): placeholder lists built for the number of rows,
//! every value still bound, and batches cut so no statement binds more than either database
//! takes.

/// At most this many values are bound in one statement: SQLite's historical limit (999, the
/// lowest any build of it has), far under PostgreSQL's 65,535.
pub(crate) const MAX_BINDS: usize = 999;

/// `$first, $first+1, …`: `n` placeholders, for an `in (…)` list.
pub(crate) fn list(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rows` copies of `row`, comma-separated, each `?` in them replaced by the next placeholder
/// from `$first` on (a row may also name shared placeholders such as `$1` directly).
pub(crate) fn values(row: &str, rows: usize, first: usize) -> String {
    let mut next = first;
    let mut out = String::with_capacity((row.len() + 16) * rows);
    for i in 0..rows {
        if i > 0 {
            out.push_str(", ");
        }
        for c in row.chars() {
            if c == '?' {
                out.push_str(&format!("${next}"));
                next += 1;
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// How many rows of `per_row` values (and `shared` values bound once) fit in one statement.
pub(crate) fn rows_per_statement(per_row: usize, shared: usize) -> usize {
    ((MAX_BINDS - shared) / per_row).max(1)
}

/// What a batch's check reads end with: `for share` on PostgreSQL, so the rows read stay as read
/// until the commit; nothing on SQLite, whose single writer already holds them.
pub(crate) fn lock_suffix(db: &crate::Db) -> &'static str {
    if db.backend() == crate::Backend::Postgres {
        " for share"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(list(2, 3), "$2, $3, $4");
        assert_eq!(
            values("(?, ?, 'x', $1)", 2, 2),
            "($2, $3, 'x', $1), ($4, $5, 'x', $1)"
        );
        assert_eq!(rows_per_statement(8, 1), 124);
    }
}
