//! The examples of issue #17, each as the analysis must now answer it:
//! numbers exact at any magnitude, coverage decided through the text
//! tests, W109 where it cannot be.

use super::{expect, rules};

/// `n < 9223372036854775807.0` is `n < 2^63`: every int. No false E008
/// with `{"n":9223372036854775807}`.
#[test]
fn an_int_below_two_to_the_63_is_every_int() {
    expect(&rules(&["tokens < 9223372036854775807.0"]), &[]);
    expect(&rules(&["tokens <= 9223372036854775807"]), &[]);
    expect(&rules(&["tokens >= -9223372036854775808.0"]), &[]);
    // `> -2^63` leaves out i64::MIN only.
    let h = expect(
        &rules(&["tokens > -9223372036854775808.0"]),
        &[("E008", 11)],
    );
    assert!(h[0].contains("{\"tokens\":-9223372036854775808}"), "{h:?}");
    let h = expect(&rules(&["tokens < 9223372036854775807"]), &[("E008", 11)]);
    assert!(h[0].contains("{\"tokens\":9223372036854775807}"), "{h:?}");
}

/// `n not in 2..=9007199254740993` alone: `{"n":2}` routes nowhere.
#[test]
fn a_range_past_two_to_the_53_leaves_its_start_out() {
    let h = expect(
        &rules(&["tokens not in 2..=9007199254740993"]),
        &[("E008", 11)],
    );
    assert!(h[0].contains("{\"tokens\":2}"), "{h:?}");
    let h = expect(
        &rules(&["tokens not in 9007199254740992..=9007199254740993"]),
        &[("E008", 11)],
    );
    assert!(h[0].contains("{\"tokens\":9007199254740992}"), "{h:?}");
    expect(
        &rules(&["tokens not in 9007199254740993..9007199254740993"]),
        &[],
    );
}

/// `n in 4..9007199254740992` covers a later `n == 5`, like
/// `4..9007199254740991` does; ranges meet the ends of i64 exactly.
#[test]
fn big_ranges_cover_later_rules() {
    for hi in [
        "9007199254740991",
        "9007199254740992",
        "9223372036854775807",
    ] {
        expect(
            &rules(&[&format!("tokens in 4..{hi}"), "tokens == 5", "otherwise"]),
            &[("W101", 12)],
        );
    }
    expect(
        &rules(&[
            "tokens in -9223372036854775808..=9223372036854775807",
            "otherwise",
        ]),
        &[("W101", 12)],
    );
    expect(
        &rules(&[
            "tokens in 9223372036854775807..9223372036854775807",
            "tokens < 0",
        ]),
        &[("W102", 11), ("E008", 12)],
    );
    // 2^53 + 1 is not 2^53 (as f64 it would be).
    expect(
        &rules(&[
            "tokens == 9007199254740992",
            "tokens == 9007199254740993",
            "otherwise",
        ]),
        &[],
    );
    expect(
        &rules(&[
            "tokens == 9007199254740992.0",
            "tokens == 9007199254740992",
            "tokens == 9007199254740993.0",
            "otherwise",
        ]),
        // The float literal 9007199254740993.0 is the float 2^53.
        &[("W101", 12), ("W101", 13)],
    );
}

/// Int literals against a float field are not rounded:
/// `budget < 9007199254740993` holds for `budget = 2^53`, `budget ==
/// 9007199254740993` for no float at all.
#[test]
fn int_literals_against_floats_are_exact() {
    expect(
        &rules(&["budget == 9007199254740993", "otherwise"]),
        &[("W102", 11)],
    );
    expect(
        &rules(&[
            "budget < 9007199254740993",
            "budget == 9007199254740992.0",
            "otherwise",
        ]),
        &[("W101", 12)],
    );
    expect(
        &rules(&[
            "budget <= 9223372036854775807",
            "budget == 9223372036854775808.0",
            "otherwise",
        ]),
        &[],
    );
    // The float just below 1.0 and the one just above it: they and
    // 1.0 are left out.
    let h = expect(
        &rules(&["budget < 0.9999999999999999", "budget > 1.0000000000000002"]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("{\"budget\":1.0}"), "{h:?}");
    let h = expect(
        &rules(&["budget < 0.9999999999999999", "budget >= 1"]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("{\"budget\":0.9999999999999999}"), "{h:?}");
    // No float lies strictly between them and 1.0.
    expect(
        &rules(&[
            "budget <= 0.9999999999999999",
            "budget >= 1.0000000000000002",
            "budget == 1",
        ]),
        &[],
    );
    expect(
        &rules(&["budget > 1.0 and budget < 1.0000000000000002", "otherwise"]),
        &[("W102", 11)],
    );
}

/// `not s matches /^q/` alone: `{"s": "q"}` routes nowhere.
#[test]
fn coverage_with_regexes_finds_a_string() {
    let h = expect(&rules(&["not (prompt matches /^q/)"]), &[("E008", 11)]);
    assert!(h[0].contains("{\"prompt\":\"q\"}"), "{h:?}");
    // An unset `user` makes the atom false, and its negation true.
    let h = expect(&rules(&["not (user matches /^q/)"]), &[("E008", 11)]);
    assert!(h[0].contains("{\"user\":\"q\"}"), "{h:?}");
    let h = expect(
        &rules(&["prompt contains \"a\"", "prompt ends_with \"b\""]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("{}"), "{h:?}");
    let h = expect(
        &rules(&["words(prompt) < 3", "len(prompt) > 10"]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("{\"prompt\":\"a a a\"}"), "{h:?}");
}

/// Coverage proved through the tests' meaning.
#[test]
fn coverage_with_opaque_tests_is_proved() {
    expect(&rules(&["len(prompt) > 3", "len(prompt) <= 3"]), &[]);
    expect(
        &rules(&["prompt matches /^a/", "not (prompt starts_with \"a\")"]),
        &[],
    );
    expect(
        &rules(&["words(prompt) >= 1", "prompt matches /^\\s*$/"]),
        &[],
    );
    expect(
        &rules(&["prompt matches /[0-9]/", "prompt matches /^[^0-9]*$/"]),
        &[],
    );
}

/// Where the analysis can neither find a context nor prove there is
/// none, W109 names the rules whose tests it could not decide.
#[test]
fn undecided_coverage_is_a_warning() {
    let h = expect(
        &rules(&["budget > tokens", "tokens > budget"]),
        &[("E008", 12)],
    );
    assert!(h[0].contains("{}"), "{h:?}");
    let h = expect(
        &rules(&["budget >= tokens", "tokens > budget"]),
        &[("W109", 12)],
    );
    assert!(
        h[0].contains("could not decide the tests of rules `r0`, `r1`"),
        "{h:?}"
    );
    assert!(h[0].contains("otherwise"), "{h:?}");
    let h = expect(
        &rules(&["len(prompt) < 9223372036854775806", "flag"]),
        &[("W109", 12)],
    );
    assert!(h[0].contains("rule `r0`"), "{h:?}");
}
