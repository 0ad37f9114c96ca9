//! The stable codes of core's enums: what is stored, sent over the wire and parsed back.
//! strum derives the strings; this names the methods every coded enum shares.

/// Adds the listed methods to an enum that derives strum's `IntoStaticStr` (and `EnumString`
/// for `from_code`, `VariantArray` for `ALL`): `codes!(Health: ALL, code);`.
macro_rules! codes {
    ($t:ident: $($item:ident),+) => {
        impl $t {
            $(codes!(@$item $t);)+
        }
    };
    (@ALL $t:ident) => {
        /// Every variant, in declaration order.
        pub const ALL: &'static [$t] = <$t as strum::VariantArray>::VARIANTS;
    };
    (@code $t:ident) => {
        /// The code stored and sent for this variant.
        pub fn code(self) -> &'static str {
            self.into()
        }
    };
    (@from_code $t:ident) => {
        /// The variant stored as `code`, if any.
        pub fn from_code(code: &str) -> Option<$t> {
            code.parse().ok()
        }
    };
}
