//! Allows and levels: `# switchyard: allow(..)` comments on a statement, a
//! context field or a file, the run's `--allow`/`--warn`/`--deny`, W110
//! and W111; W101 across files; no W105 for the field a typo meant; E014.

use switchyard_syntax::{parse_sources, Code, Limits, Severity, SourceMap};

use super::{expect, run};
use crate::levels::{Level, Levels};
use crate::{check_with, CheckOptions, Checked};

/// The codes checking `src` reports, in order.
fn codes(src: &str) -> Vec<&'static str> {
    run(src)
        .1
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

fn check_levels(src: &str, levels: Levels) -> Checked {
    let mut sources = SourceMap::new();
    sources.add("test.route", src);
    let files = parse_sources(&sources, &Limits::default()).unwrap_or_default();
    check_with(
        &files,
        &CheckOptions {
            levels,
            ..CheckOptions::default()
        },
    )
}

const UNUSED: &str = "context {\n  tier: string\n  spare: string\n}\nmodel m = \"a/b\"\n\
                      defaults max_tokens 1\nrule r: when tier == \"x\" -> m\n\
                      rule default: otherwise -> m\n";

#[test]
fn a_statement_allow_covers_the_next_statement_or_field_only() {
    assert_eq!(codes(UNUSED), ["W105"]);
    let field = UNUSED.replace("  spare", "  # switchyard: allow(W105)\n  spare");
    assert_eq!(codes(&field), Vec::<&str>::new());
    let trailing = UNUSED.replace("spare: string", "spare: string  # switchyard: allow(W105)");
    assert_eq!(codes(&trailing), Vec::<&str>::new());
    // After the block's `}`: the block, not its last field.
    let closing = UNUSED.replace(
        "}\nmodel",
        "  other: string\n}  # switchyard: allow(W105)\nmodel",
    );
    assert_eq!(codes(&closing), Vec::<&str>::new(), "{closing}");
    // On the first line of a statement written over several lines.
    let split = UNUSED.replace(
        "rule r: when tier == \"x\" -> m",
        "rule r: when tier == \"x\"  # switchyard: allow(W102)\n  and tier == \"y\" -> m",
    );
    assert_eq!(codes(&split), ["W105"], "{split}");
    // Before the block: the whole block.
    let block = format!("# switchyard: allow(W105)\n{UNUSED}");
    assert_eq!(codes(&block), Vec::<&str>::new());
    // Above another statement: allows nothing there, so W110.
    let elsewhere = UNUSED.replace("model m", "# switchyard: allow(W105)\nmodel m");
    assert_eq!(codes(&elsewhere), ["W105", "W110"]);
}

/// The codes checking `src` under file name `name` reports, in order.
fn codes_named(name: &str, src: &str) -> Vec<&'static str> {
    let mut sources = SourceMap::new();
    sources.add(name, src);
    let files = parse_sources(&sources, &Limits::default()).unwrap_or_default();
    check_with(&files, &CheckOptions::default())
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

#[test]
fn allows_converted_to_json_allow_the_same() {
    let variants = [
        UNUSED.replace("  spare", "  # switchyard: allow(W105)\n  spare"),
        UNUSED.replace("spare: string", "spare: string  # switchyard: allow(W105)"),
        UNUSED.replace(
            "}\nmodel",
            "  other: string\n}  # switchyard: allow(W105)\nmodel",
        ),
        format!("# switchyard: allow(W105)\n{UNUSED}"),
        UNUSED.replace("model m", "# switchyard: allow(W105)\nmodel m"),
        format!("{UNUSED}# switchyard: allow-file(W105)\n"),
        UNUSED.replace("context {", "context {  # switchyard: allow(W105)"),
        UNUSED.replace("}\nmodel", "  # switchyard: allow(W105)\n}\nmodel"),
        UNUSED.replace(
            "rule default:",
            "rule s: when tier == \"x\" -> m  # switchyard: allow(W101)\nrule default:",
        ),
    ];
    for route in variants {
        let json = switchyard_syntax::convert(
            &route,
            switchyard_syntax::FileId(0),
            switchyard_syntax::Form::Route,
            switchyard_syntax::Form::Json,
            &Limits::default(),
        )
        .unwrap_or_default();
        assert!(json.contains("switchyard: allow"), "{route}\n{json}");
        assert_eq!(
            codes_named("rules.json", &json),
            codes_named("rules.route", &route),
            "{route}\n{json}"
        );
    }
}

#[test]
fn a_file_allow_covers_the_file() {
    let src = format!(
        "{UNUSED}# switchyard: allow-file(W105, W101)\nrule late: when tier == \"y\" -> m\n"
    );
    assert_eq!(codes(&src), Vec::<&str>::new());
    let unused = format!("# switchyard: allow-file(W103)\n{UNUSED}");
    let d = expect(&unused, "W110", 1, 1);
    assert_eq!(
        d.message,
        "`W103` is allowed here, but the file has no `W103`"
    );
}

#[test]
fn bad_directives_are_w111_and_errors_stay() {
    let src = UNUSED.replace("rule r:", "# switchyard: allow(W105\nrule r:");
    let d = expect(&src, "W111", 7, 1);
    assert!(d.help.unwrap_or_default().contains("allow-file(W105)"));
    let src = UNUSED.replace("rule r:", "# switchyard: allow(w102)\nrule r:");
    let d = expect(&src, "W111", 7, 1);
    assert_eq!(d.help.as_deref(), Some("did you mean `W102`?"));
    let src = UNUSED.replace("\"x\" -> m", "5 -> m # switchyard: allow(E003)");
    let (_, checked) = run(&src);
    let found: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        found.contains(&Code::E003) && found.contains(&Code::W111),
        "{found:?}"
    );
    // Ordinary comments that mention switchyard are left alone.
    assert_eq!(
        codes(&format!("# switchyard routes requests\n{UNUSED}")),
        ["W105"]
    );
}

#[test]
fn run_levels_allow_warn_and_deny() {
    let mut levels = Levels::new();
    assert!(levels.set(Code::E004, Level::Allow).is_err());
    levels.set(Code::W105, Level::Deny).unwrap_or_default();
    let checked = check_levels(UNUSED, levels.clone());
    assert_eq!(checked.diagnostics[0].severity(), Severity::Error);
    assert!(
        checked.ruleset.is_none(),
        "a denied warning fails the check"
    );
    // A comment wins over the run's level.
    let allowed = UNUSED.replace("  spare", "  # switchyard: allow(W105)\n  spare");
    let checked = check_levels(&allowed, levels);
    assert!(checked.diagnostics.is_empty() && checked.ruleset.is_some());
    let mut levels = Levels::new();
    levels.set(Code::W105, Level::Allow).unwrap_or_default();
    assert!(check_levels(UNUSED, levels).diagnostics.is_empty());
    let mut levels = Levels::new();
    levels.set(Code::W105, Level::Warn).unwrap_or_default();
    let checked = check_levels(UNUSED, levels);
    assert_eq!(checked.diagnostics[0].severity(), Severity::Warning);
}

#[test]
fn an_allow_of_an_analysis_code_is_not_unused_when_the_analysis_is_off() {
    let src = UNUSED.replace("rule r:", "# switchyard: allow(W101)\nrule r:");
    let mut sources = SourceMap::new();
    sources.add("test.route", src.as_str());
    let files = parse_sources(&sources, &Limits::default()).unwrap_or_default();
    let checked = check_with(
        &files,
        &CheckOptions {
            analysis: None,
            ..CheckOptions::default()
        },
    );
    let found: Vec<_> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(found, [Code::W105]);
}

#[test]
fn w101_across_files_names_file_order() {
    let mut sources = SourceMap::new();
    sources.add(
        "default.route",
        "context { tier: string }\nmodel m = \"a/b\"\ndefaults max_tokens 1\nrule default: otherwise -> m\n",
    );
    sources.add("pro.route", "rule pro: when tier == \"pro\" -> m\n");
    let checked = super::check_sources(&sources);
    let d = checked
        .diagnostics
        .iter()
        .find(|d| d.code == Code::W101)
        .cloned()
        .unwrap_or_else(|| panic!("{:#?}", checked.diagnostics));
    let help = d.help.unwrap_or_default();
    assert!(help.contains("read in name order"), "{help}");
    assert!(!help.contains("move it above"), "{help}");
    // In one file, moving it is the fix.
    let d = expect(
        "context { tier: string }\nmodel m = \"a/b\"\ndefaults max_tokens 1\n\
         rule default: otherwise -> m\nrule pro: when tier == \"pro\" -> m\n",
        "W101",
        5,
        6,
    );
    assert!(d
        .help
        .unwrap_or_default()
        .contains("move it above `default`"));
}

#[test]
fn a_typo_does_not_make_the_field_meant_unused() {
    let src = UNUSED.replace("tier == ", "teir == ");
    let found = codes(&src);
    // E002 for `teir`, W105 for `spare` only: `tier` was meant.
    assert_eq!(
        found.iter().filter(|c| **c == "W105").count(),
        1,
        "{found:?}"
    );
    let d = expect(&src, "E002", 7, 14);
    assert_eq!(d.help.as_deref(), Some("did you mean `tier`?"));
    // Likewise for a model alias: E005 for `n`, no W105 for `m`.
    let src = UNUSED.replace("\"x\" -> m", "\"x\" -> n");
    assert_eq!(codes(&src), ["W105", "E005"], "{src}");
}

#[test]
fn null_points_at_has() {
    let src = UNUSED.replace("tier == \"x\"", "tier != null");
    let d = expect(&src, "E014", 7, 22);
    assert_eq!(
        d.help.as_deref(),
        Some("write `has(tier)`: it is true when the context gives `tier`")
    );
    let src = UNUSED.replace("tier == \"x\"", "tier == None");
    let d = expect(&src, "E014", 7, 22);
    assert!(d
        .help
        .unwrap_or_default()
        .starts_with("write `not has(tier)`"));
    // A field that is called `null` is a field.
    let src = UNUSED
        .replace("spare: string", "null: string")
        .replace("\"x\"", "null");
    assert_eq!(codes(&src), Vec::<&str>::new());
}
