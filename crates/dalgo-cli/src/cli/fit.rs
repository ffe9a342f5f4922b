//! Fitting a table to the terminal's width without breaking what people copy:
//! a cell that is one token (an id, a slug, a secret's name) or a time is
//! never cut; text with spaces (names, descriptions, stream lists) is cut
//! with an ellipsis, widest column first; if that is not enough, the last
//! columns are left out and the caller says so (`-o wide` shows them).

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The narrowest a cut column becomes.
const MIN_CUT: usize = 8;

/// A table as it fits: its header, rows and how many columns were left out.
#[derive(Debug, PartialEq, Eq)]
pub struct Fitted {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub hidden: usize,
}

/// Fits `header` and `rows` into `width` terminal columns, as dalgo's table
/// style lays them out (a space either side of each cell, one between columns).
pub fn fit(header: Vec<String>, rows: Vec<Vec<String>>, width: usize) -> Fitted {
    let cols = header.len();
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| cell_width(r, c)).chain([header[c].width()]).max().unwrap_or(0))
        .collect();
    // What a column can shrink to: its header, its longest uncuttable cell, MIN_CUT.
    let floors: Vec<usize> = (0..cols)
        .map(|c| {
            let atoms = rows.iter().filter_map(|r| r.get(c)).filter(|v| !cuttable(v)).map(|v| v.width());
            atoms.chain([header[c].width(), MIN_CUT.min(widths[c])]).max().unwrap_or(0)
        })
        .collect();
    // Columns are left out until the rest fit once their text is cut: from the
    // right, but the columns that say which row is which (a name, an org, a
    // role) last of all.
    let mut kept: Vec<usize> = (0..cols).collect();
    let kept_floors = |kept: &[usize]| kept.iter().map(|&c| floors[c]).collect::<Vec<_>>();
    while kept.len() > 1 && total(&kept_floors(&kept)) > width {
        let drop = kept.iter().rposition(|&c| !IDENTIFYING.contains(&header[c].as_str())).unwrap_or(kept.len() - 1);
        kept.remove(drop);
    }
    let mut shown: Vec<usize> = kept.iter().map(|&c| widths[c]).collect();
    let shown_floors = kept_floors(&kept);
    while total(&shown) > width {
        let Some(i) = (0..kept.len()).filter(|&i| shown[i] > shown_floors[i]).max_by_key(|&i| shown[i]) else { break };
        let over = total(&shown) - width;
        shown[i] -= over.min(shown[i] - shown_floors[i]);
    }
    let pick = |r: Vec<String>| -> Vec<String> {
        let mut r: Vec<Option<String>> = r.into_iter().map(Some).collect();
        kept.iter()
            .zip(&shown)
            .map(|(&c, &w)| cut(r.get_mut(c).and_then(Option::take).unwrap_or_default(), w))
            .collect()
    };
    let hidden = cols - kept.len();
    Fitted {
        header: {
            let mut h: Vec<Option<String>> = header.into_iter().map(Some).collect();
            kept.iter().map(|&c| h[c].take().unwrap_or_default()).collect()
        },
        rows: rows.into_iter().map(pick).collect(),
        hidden,
    }
}

/// Headers of the columns that say which row is which: left out last.
const IDENTIFYING: [&str; 12] =
    ["NAME", "SLUG", "EMAIL", "MEMBER", "ORG", "ROLE", "ID", "JOB", "FLOW RUN", "FLAG", "SETTING", "CONNECTION"];

/// A row's width in dalgo's table style.
fn total(widths: &[usize]) -> usize {
    widths.iter().map(|w| w + 3).sum::<usize>().saturating_sub(1)
}

fn cell_width(row: &[String], c: usize) -> usize {
    row.get(c).map_or(0, |v| v.width())
}

/// Text with spaces may be cut; one token (an id) or a time may not.
fn cuttable(v: &str) -> bool {
    v.contains(' ') && !is_time(v)
}

/// `2026-12-04 05:10:00Z`, with or without a relative age after it.
fn is_time(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[..4].iter().all(u8::is_ascii_digit)
}

/// `v` within `w` columns, an ellipsis at the end when it was longer.
fn cut(v: String, w: usize) -> String {
    if v.width() <= w || !cuttable(&v) {
        return v;
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in v.chars() {
        let cw = ch.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(ch);
        used += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const UUID: &str = "6f1c2a9e-0b7d-4c55-9a61-3d2f8e7b1c40";

    #[test]
    fn a_table_that_fits_is_left_alone() {
        let f = fit(strings(&["NAME", "ID"]), vec![strings(&["crm", UUID])], 80);
        assert_eq!(f, Fitted { header: strings(&["NAME", "ID"]), rows: vec![strings(&["crm", UUID])], hidden: 0 });
    }

    #[test]
    fn text_is_cut_with_an_ellipsis_and_ids_and_times_never() {
        let long = "contacts, donations, events, grants, households, programs, volunteers";
        let row = strings(&["crm to warehouse", UUID, "2026-12-04 05:10:00Z", long]);
        let f = fit(strings(&["NAME", "ID", "CREATED", "STREAMS"]), vec![row], 100);
        let row = &f.rows[0];
        assert_eq!(
            (row[0].as_str(), row[1].as_str(), row[2].as_str()),
            ("crm to warehouse", UUID, "2026-12-04 05:10:00Z")
        );
        assert!(row[3].ends_with('…') && long.starts_with(row[3].trim_end_matches('…')), "{row:?}");
        let line: usize = row.iter().map(|c| c.width() + 3).sum::<usize>() - 1;
        assert_eq!(line, 100, "{row:?}");
        assert_eq!(f.hidden, 0);
    }

    /// At 80 columns `secrets list` left ORG out, at 60 `user list` ROLE:
    /// the columns that identify a row go last.
    #[test]
    fn identifying_columns_are_the_last_to_go() {
        let name = "warehouseCreds-acme-ngo-3f1c2d4e-0000-4000-8000-000000000001";
        let f = fit(
            strings(&["NAME", "HOLDS", "ORG", "IN STORE"]),
            vec![strings(&[name, "warehouse", "acme-ngo", "yes"])],
            80,
        );
        assert_eq!(f.header, strings(&["NAME", "ORG"]), "{f:?}");
        let f = fit(
            strings(&["EMAIL", "ORG", "ROLE", "VERIFIED", "SINCE"]),
            vec![strings(&["consultant@example.org", "acme-ngo", "super-admin", "yes", "2026-12-04 05:10:00Z"])],
            60,
        );
        assert_eq!(f.header, strings(&["EMAIL", "ORG", "ROLE", "VERIFIED"]), "{f:?}");
    }

    #[test]
    fn columns_that_cannot_fit_are_left_out_from_the_right() {
        let row = strings(&[UUID, UUID, UUID]);
        let f = fit(strings(&["A", "B", "C"]), vec![row], 80);
        assert_eq!((f.header, f.hidden), (strings(&["A", "B"]), 1));
        assert_eq!(f.rows[0], strings(&[UUID, UUID]));
    }
}
