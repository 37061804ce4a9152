//! The value a field holds when a host gives one (docs/reference/context.md).

use serde_json::Value as Json;

use crate::ir::Type;

use super::Scalar;

/// A value a host gives for a field, before it is checked against the
/// field's type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Given<'a> {
    /// A bool.
    Bool(bool),
    /// An integer (for `int` fields, and `float` ones).
    Int(i64),
    /// A float (for `float` fields).
    Float(f64),
    /// A string (for `string` and enum fields).
    Str(&'a str),
}

/// Why a given value cannot be a field's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A value of another type (or a JSON array or object).
    #[error("a value of the wrong type")]
    WrongType,
    /// A string that is not one of the enum's values.
    #[error("a string outside the enum")]
    NotInEnum,
    /// A float that is NaN or infinite.
    #[error("a number that is not finite")]
    NotFinite,
    /// A whole number past either end of `i64`, for an `int` field.
    #[error("a whole number out of the range of int")]
    OutOfRange,
}

/// The value a field of type `ty` holds when a host gives `given`: an
/// `int` field takes ints; a `float` field takes finite floats (`-0.0` is
/// held as `0.0`) and ints, converted to the nearest float; an enum takes
/// one of its strings.
#[inline]
pub fn typed<'a>(ty: &Type, given: Given<'a>) -> Result<Scalar<'a>, ValueError> {
    Ok(match (ty, given) {
        (Type::Bool, Given::Bool(b)) => Scalar::Bool(b),
        (Type::Int, Given::Int(i)) => Scalar::Int(i),
        (Type::Float, Given::Int(i)) => Scalar::Float(i as f64),
        (Type::Float, Given::Float(f)) => {
            if !f.is_finite() {
                return Err(ValueError::NotFinite);
            }
            // Negative zero compares equal to zero; hold it as zero so it
            // hashes and prints the same way too.
            Scalar::Float(if f == 0.0 { 0.0 } else { f })
        }
        (Type::String, Given::Str(s)) => Scalar::Str(s),
        (Type::Enum(values), Given::Str(s)) => match values.iter().position(|v| v == s) {
            Some(i) => Scalar::Enum(u32::try_from(i).map_err(|_| ValueError::NotInEnum)?),
            None => return Err(ValueError::NotInEnum),
        },
        _ => return Err(ValueError::WrongType),
    })
}

/// What a JSON value gives for a field of type `ty`; `Ok(None)` for
/// `null` (the field is not given: its default applies). A JSON number is
/// an int when it is an integer within `i64`; `-0` is the int 0 for an
/// `int` field (JSON readers give it as the float -0.0); a whole number
/// past either end of `i64` is [`ValueError::OutOfRange`] for an `int`
/// field and a float otherwise. The JSON text must have been read with
/// correctly rounded floats (`serde_json`'s `float_roundtrip`, which this
/// workspace turns on), so a float is the number it spells.
pub fn given_from_json<'a>(ty: &Type, json: &'a Json) -> Result<Option<Given<'a>>, ValueError> {
    Ok(Some(match json {
        Json::Null => return Ok(None),
        Json::Bool(b) => Given::Bool(*b),
        Json::String(s) => Given::Str(s),
        Json::Number(n) => {
            let number = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => JsonNumber::Int(i),
                (None, Some(u), _) => JsonNumber::Big(u),
                (None, None, Some(f)) => JsonNumber::Float(f),
                (None, None, None) => return Err(ValueError::NotFinite),
            };
            given_from_number(ty, number)?
        }
        Json::Array(_) | Json::Object(_) => return Err(ValueError::WrongType),
    }))
}

/// A JSON number as a JSON reader gives it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum JsonNumber {
    /// An integer within `i64`.
    Int(i64),
    /// An integer above `i64::MAX` (and within `u64`).
    Big(u64),
    /// Any other number.
    Float(f64),
}

/// What a JSON number gives for a field of type `ty` (see
/// [`given_from_json`], which this is the number part of).
#[inline]
pub fn given_from_number(ty: &Type, n: JsonNumber) -> Result<Given<'static>, ValueError> {
    let is_int = *ty == Type::Int;
    Ok(match n {
        JsonNumber::Int(i) => Given::Int(i),
        JsonNumber::Big(_) if is_int => return Err(ValueError::OutOfRange),
        JsonNumber::Big(u) => Given::Float(u as f64),
        // JSON readers give `-0` as the float -0.0.
        JsonNumber::Float(f) if is_int && f == 0.0 => Given::Int(0),
        JsonNumber::Float(f) if is_int && beyond_i64(f) => return Err(ValueError::OutOfRange),
        JsonNumber::Float(f) => Given::Float(f),
    })
}

/// A whole number outside the range of i64.
fn beyond_i64(f: f64) -> bool {
    // 2^63, exact as f64. The text `-9223372036854775809` reads as -2^63
    // (i64::MIN itself reads as an int), so -2^63 as a float is beyond.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    f.fract() == 0.0 && !(f > -LIMIT && f < LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(ty: &Type, text: &str) -> Result<Option<Scalar<'static>>, ValueError> {
        let json: Json = serde_json::from_str(text).map_err(|_| ValueError::WrongType)?;
        let json: &'static Json = Box::leak(Box::new(json));
        given_from_json(ty, json)?.map(|g| typed(ty, g)).transpose()
    }

    #[test]
    fn numbers_from_json() {
        assert_eq!(read(&Type::Int, "-0"), Ok(Some(Scalar::Int(0))));
        assert_eq!(read(&Type::Float, "-0.0"), Ok(Some(Scalar::Float(0.0))));
        assert_eq!(
            read(&Type::Int, "9223372036854775808"),
            Err(ValueError::OutOfRange)
        );
        assert_eq!(
            read(&Type::Int, "-9223372036854775809"),
            Err(ValueError::OutOfRange)
        );
        assert_eq!(read(&Type::Int, "3.0"), Err(ValueError::WrongType));
        assert_eq!(read(&Type::Int, "null"), Ok(None));
        assert_eq!(
            read(&Type::Float, "9007199254740993"),
            Ok(Some(Scalar::Float(9_007_199_254_740_992.0)))
        );
    }

    /// The first example: the float just below 1.0, spelled two
    /// ways, is one number (serde_json's `float_roundtrip`).
    #[test]
    fn floats_are_read_correctly_rounded() {
        let below_one = 1.0f64 - f64::EPSILON / 2.0;
        for text in [
            "0.9999999999999999",
            "0.99999999999999989",
            "0.99999999999999988897769753748434595763683319091796875",
        ] {
            assert_eq!(
                read(&Type::Float, text),
                Ok(Some(Scalar::Float(below_one))),
                "{text}"
            );
        }
        // Halfway between it and 1.0: ties go to the even one, 1.0.
        assert_eq!(
            read(
                &Type::Float,
                "0.999999999999999944488848768742172978818416595458984375"
            ),
            Ok(Some(Scalar::Float(1.0)))
        );
        // 17 significant digits, near 2^53 and near the ends of f64.
        for x in [
            0.1,
            1.0 / 3.0,
            9_007_199_254_740_991.0,
            2.225_073_858_507_201e-308,
            1.797_693_134_862_315_7e308,
            -4.940_656_458_412e-324,
            123_456_789.012_345_67,
        ] {
            for text in [
                format!("{x:?}"),
                format!("{x:.16e}"),
                serde_json::to_string(&x).unwrap_or_default(),
            ] {
                assert_eq!(
                    read(&Type::Float, &text),
                    Ok(Some(Scalar::Float(x))),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn types_and_enums() {
        let tier = Type::Enum(vec!["free".into(), "pro".into()]);
        assert_eq!(typed(&tier, Given::Str("pro")), Ok(Scalar::Enum(1)));
        assert_eq!(typed(&tier, Given::Str("gold")), Err(ValueError::NotInEnum));
        assert_eq!(
            typed(&Type::Float, Given::Float(f64::NAN)),
            Err(ValueError::NotFinite)
        );
        assert_eq!(
            typed(&Type::Bool, Given::Int(1)),
            Err(ValueError::WrongType)
        );
    }
}
