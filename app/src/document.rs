//! Brazilian taxpayer numbers — CPF (people) and CNPJ (companies, including the alphanumeric form issued
//! from 2026): validation, normalisation and display formatting, shared by the server and the browser.
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DocumentType {
    Cnpj,
    Cpf,
}

impl DocumentType {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("cnpj") {
            Some(DocumentType::Cnpj)
        } else if s.eq_ignore_ascii_case("cpf") {
            Some(DocumentType::Cpf)
        } else {
            None
        }
    }

    /// The stored and wire form, matching serde and the database's `document_type` check.
    pub const fn as_str(self) -> &'static str {
        match self {
            DocumentType::Cnpj => "cnpj",
            DocumentType::Cpf => "cpf",
        }
    }

    const fn len(self) -> usize {
        match self {
            DocumentType::Cnpj => 14,
            DocumentType::Cpf => 11,
        }
    }

    /// Whether `c` may stand at `index` of the normalised value (before uppercasing).
    fn accepts(self, index: usize, c: char) -> bool {
        match self {
            DocumentType::Cpf => c.is_ascii_digit(),
            // Receita Federal keeps the two check digits numeric even in alphanumeric CNPJs.
            DocumentType::Cnpj if index >= CNPJ_BODY_LEN => c.is_ascii_digit(),
            DocumentType::Cnpj => c.is_ascii_alphanumeric(),
        }
    }

    const fn separator_before(self, index: usize) -> Option<char> {
        match (self, index) {
            (DocumentType::Cpf, 3 | 6) | (DocumentType::Cnpj, 2 | 5) => Some('.'),
            (DocumentType::Cnpj, 8) => Some('/'),
            (DocumentType::Cpf, 9) | (DocumentType::Cnpj, 12) => Some('-'),
            _ => None,
        }
    }

    /// Weights for the second check digit; the first uses the same list without its head, so one table serves both.
    const fn weights(self) -> &'static [u32] {
        match self {
            DocumentType::Cnpj => &[6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2],
            DocumentType::Cpf => &[11, 10, 9, 8, 7, 6, 5, 4, 3, 2],
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const CNPJ_BODY_LEN: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentError {
    Empty,
    WrongLength,
    InvalidCharacter,
    RepeatedDigits,
    CheckDigits,
}

impl DocumentError {
    /// Stable machine-readable code, e.g. for API responses and translation keys.
    pub fn code(self) -> &'static str {
        match self {
            DocumentError::Empty => "blank",
            DocumentError::WrongLength => "wrong_length",
            DocumentError::InvalidCharacter => "invalid_character",
            DocumentError::RepeatedDigits => "repeated_digits",
            DocumentError::CheckDigits => "check_digits",
        }
    }

    pub fn message(self, kind: DocumentType) -> &'static str {
        match (self, kind) {
            (DocumentError::Empty, DocumentType::Cpf) => "CPF is required",
            (DocumentError::Empty, DocumentType::Cnpj) => "CNPJ is required",
            (DocumentError::WrongLength, DocumentType::Cpf) => "CPF must have 11 digits",
            (DocumentError::WrongLength, DocumentType::Cnpj) => "CNPJ must have 14 characters",
            (DocumentError::InvalidCharacter, DocumentType::Cpf) => "CPF may contain only digits",
            (DocumentError::InvalidCharacter, DocumentType::Cnpj) => {
                "CNPJ may contain only letters and digits, and must end in two digits"
            }
            (DocumentError::RepeatedDigits, DocumentType::Cpf) => "CPF cannot be a single repeated digit",
            (DocumentError::RepeatedDigits, DocumentType::Cnpj) => "CNPJ cannot be a single repeated character",
            (DocumentError::CheckDigits, DocumentType::Cpf) => "CPF check digits do not match",
            (DocumentError::CheckDigits, DocumentType::Cnpj) => "CNPJ check digits do not match",
        }
    }
}

/// A CPF or CNPJ whose characters, length and check digits have been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    kind: DocumentType,
    value: String,
}

impl Document {
    pub fn parse(kind: DocumentType, input: &str) -> Result<Document, DocumentError> {
        let mut value = String::with_capacity(kind.len());
        for c in input.chars().filter(|&c| !is_separator(c)) {
            // Positions are unknown until the length is right, so the digit-only CNPJ tail is checked below.
            if !kind.accepts(0, c) {
                return Err(DocumentError::InvalidCharacter);
            }
            value.push(c.to_ascii_uppercase());
        }
        if value.is_empty() {
            return Err(DocumentError::Empty);
        }
        if value.len() != kind.len() {
            return Err(DocumentError::WrongLength);
        }
        if !value.chars().enumerate().all(|(i, c)| kind.accepts(i, c)) {
            return Err(DocumentError::InvalidCharacter);
        }
        // Repeated numbers satisfy the check-digit arithmetic yet are never issued.
        let first = value.as_bytes()[0];
        if value.bytes().all(|b| b == first) {
            return Err(DocumentError::RepeatedDigits);
        }
        if !check_digits_match(kind, &value) {
            return Err(DocumentError::CheckDigits);
        }
        Ok(Document { kind, value })
    }

    pub fn kind(&self) -> DocumentType {
        self.kind
    }

    /// Without punctuation: 11 digits for a CPF, 14 uppercase characters for a CNPJ.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn formatted(&self) -> String {
        format_partial(self.kind, &self.value)
    }
}

/// Formats a partly typed value for a text field as the user types: keeps only valid characters (digits for CPF;
/// digits and letters uppercased for CNPJ — but the last two positions of a CNPJ are digits only), truncates at the
/// full length, and inserts the punctuation for what has been typed so far (e.g. CNPJ "1234567" -> "12.345.67",
/// CPF "1234" -> "123.4").
pub fn format_partial(kind: DocumentType, input: &str) -> String {
    let mut out = String::with_capacity(kind.len() + 4);
    let mut count = 0;
    for c in input.chars() {
        if count == kind.len() {
            break;
        }
        if !kind.accepts(count, c) {
            continue;
        }
        // Punctuation goes in only once the character after it exists, so backspacing never sticks on a separator.
        if let Some(separator) = kind.separator_before(count) {
            out.push(separator);
        }
        out.push(c.to_ascii_uppercase());
        count += 1;
    }
    out
}

fn is_separator(c: char) -> bool {
    matches!(c, '.' | '/' | '-') || c.is_whitespace()
}

/// `value` must already be the right length and alphanumeric ASCII.
fn check_digits_match(kind: DocumentType, value: &str) -> bool {
    let mut values = [0u32; 14];
    let n = value.len();
    for (slot, b) in values.iter_mut().zip(value.bytes()) {
        // ASCII code − 48 is how the 2026 CNPJ rules value letters; it reduces to the digit itself for 0-9.
        *slot = u32::from(b - b'0');
    }
    let weights = kind.weights();
    debug_assert_eq!(n, weights.len() + 1);
    mod11(&values[..n - 2], &weights[1..]) == values[n - 2] && mod11(&values[..n - 1], weights) == values[n - 1]
}

fn mod11(values: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = values.iter().zip(weights).map(|(v, w)| v * w).sum();
    match sum % 11 {
        r if r < 2 => 0,
        r => 11 - r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde::de::value::{Error as DeError, StrDeserializer};
    use serde::de::IntoDeserializer;

    use DocumentError::*;
    use DocumentType::{Cnpj, Cpf};

    const ALL_ERRORS: [DocumentError; 5] = [Empty, WrongLength, InvalidCharacter, RepeatedDigits, CheckDigits];

    // CPF check digits worked by hand (first: weights 10..2 over 9 digits; second: 11..2 over 10):
    //   529982247 -> sum 295, 295 % 11 = 9 -> 2; sum 347, 347 % 11 = 6 -> 5           => 529.982.247-25
    //   111444777 -> sum 162, 162 % 11 = 8 -> 3; sum 204, 204 % 11 = 6 -> 5           => 111.444.777-35
    //   123456789 -> sum 210, 210 % 11 = 1 -> 0; sum 255, 255 % 11 = 2 -> 9           => 123.456.789-09
    //   987654321 -> sum 330, 330 % 11 = 0 -> 0; sum 375, 375 % 11 = 1 -> 0           => 987.654.321-00
    //   000000001 -> sum 2, 2 % 11 = 2 -> 9; sum 21, 21 % 11 = 10 -> 1                 => 000.000.001-91
    //   390533447 -> sum 221, 221 % 11 = 1 -> 0; sum 259, 259 % 11 = 6 -> 5           => 390.533.447-05
    const VALID_CPFS: [(&str, &str); 6] = [
        ("52998224725", "529.982.247-25"),
        ("11144477735", "111.444.777-35"),
        ("12345678909", "123.456.789-09"),
        ("98765432100", "987.654.321-00"),
        ("00000000191", "000.000.001-91"),
        ("39053344705", "390.533.447-05"),
    ];

    // CNPJ check digits worked by hand (value = ASCII − 48; first: 5,4,3,2,9,8,7,6,5,4,3,2; second: 6,5,...,2):
    //   112223330001 -> 5+4+6+4+18+24+21+18+0+0+0+2 = 102, 102 % 11 = 3 -> 8;
    //                   6+5+8+6+4+27+24+21+0+0+0+3+16 = 120, 120 % 11 = 10 -> 1   => 11.222.333/0001-81
    //   114447770001 -> sum 214, 214 % 11 = 5 -> 6; sum 230, 230 % 11 = 10 -> 1   => 11.444.777/0001-61
    //   123456780001 -> 5+8+9+8+45+48+49+48+0+0+0+2 = 222, 222 % 11 = 2 -> 9;
    //                   6+10+12+12+10+54+56+56+0+0+0+3+18 = 237, 237 % 11 = 6 -> 5 => 12.345.678/0001-95
    //   000000000001 -> sum 2 -> 9; sum 21, 21 % 11 = 10 -> 1                      => 00.000.000/0001-91
    //   12ABC34501DE (A=17, B=18, C=19, D=20, E=21)
    //                -> 5+8+51+36+171+24+28+30+0+4+60+42 = 459, 459 % 11 = 8 -> 3;
    //                   6+10+68+54+38+27+32+35+0+5+80+63+6 = 424, 424 % 11 = 6 -> 5 => 12.ABC.345/01DE-35
    //   ABCDEFGHIJKL -> sum 1290, 1290 % 11 = 3 -> 8; sum 1408, 1408 % 11 = 0 -> 0 => AB.CDE.FGH/IJKL-80
    //   00000000000A -> 17 * 2 = 34, 34 % 11 = 1 -> 0; 17 * 3 = 51, 51 % 11 = 7 -> 4 => 00.000.000/000A-04
    const VALID_CNPJS: [(&str, &str); 7] = [
        ("11222333000181", "11.222.333/0001-81"),
        ("11444777000161", "11.444.777/0001-61"),
        ("12345678000195", "12.345.678/0001-95"),
        ("00000000000191", "00.000.000/0001-91"),
        ("12ABC34501DE35", "12.ABC.345/01DE-35"),
        ("ABCDEFGHIJKL80", "AB.CDE.FGH/IJKL-80"),
        ("00000000000A04", "00.000.000/000A-04"),
    ];

    fn valid(kind: DocumentType) -> &'static [(&'static str, &'static str)] {
        match kind {
            Cpf => &VALID_CPFS,
            Cnpj => &VALID_CNPJS,
        }
    }

    #[test]
    fn document_type_parses_trimmed_and_case_insensitive() {
        for (input, expected) in [("cnpj", Cnpj), ("CNPJ", Cnpj), (" Cnpj\n", Cnpj), ("cpf", Cpf), ("\tCPF ", Cpf)] {
            assert_eq!(DocumentType::parse(input), Some(expected), "{input:?}");
        }
        for input in ["", " ", "rg", "cnpjx", "c pf", "cpf."] {
            assert_eq!(DocumentType::parse(input), None, "{input:?}");
        }
    }

    #[test]
    fn document_type_names_round_trip() {
        for kind in [Cnpj, Cpf] {
            assert_eq!(DocumentType::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(Cnpj.as_str(), "cnpj");
        assert_eq!(Cpf.as_str(), "cpf");
    }

    #[test]
    fn document_type_deserializes_lowercase_names_only() {
        let de = |s: &'static str| -> StrDeserializer<'static, DeError> { s.into_deserializer() };
        assert_eq!(DocumentType::deserialize(de("cnpj")).unwrap(), Cnpj);
        assert_eq!(DocumentType::deserialize(de("cpf")).unwrap(), Cpf);
        assert!(DocumentType::deserialize(de("CNPJ")).is_err());
        assert!(DocumentType::deserialize(de("Cpf")).is_err());
    }

    #[test]
    fn error_codes() {
        let codes: Vec<_> = ALL_ERRORS.iter().map(|e| e.code()).collect();
        assert_eq!(codes, ["blank", "wrong_length", "invalid_character", "repeated_digits", "check_digits"]);
    }

    #[test]
    fn error_messages_name_the_kind_and_are_distinct() {
        let mut seen = Vec::new();
        for error in ALL_ERRORS {
            for (kind, label) in [(Cpf, "CPF "), (Cnpj, "CNPJ ")] {
                let message = error.message(kind);
                assert!(message.starts_with(label), "{error:?} {kind:?}: {message}");
                assert!(!seen.contains(&message), "duplicate message {message}");
                seen.push(message);
            }
        }
        assert_eq!(WrongLength.message(Cnpj), "CNPJ must have 14 characters");
        assert_eq!(WrongLength.message(Cpf), "CPF must have 11 digits");
    }

    #[test]
    fn valid_documents_parse_raw_and_formatted() {
        for kind in [Cpf, Cnpj] {
            for &(raw, formatted) in valid(kind) {
                for input in [raw, formatted] {
                    let doc = Document::parse(kind, input).unwrap_or_else(|e| panic!("{kind} {input}: {e:?}"));
                    assert_eq!(doc.kind(), kind);
                    assert_eq!(doc.as_str(), raw);
                    assert_eq!(doc.formatted(), formatted);
                }
            }
        }
    }

    #[test]
    fn valid_documents_are_refused_as_the_other_kind() {
        for &(raw, _) in &VALID_CPFS {
            assert_eq!(Document::parse(Cnpj, raw), Err(WrongLength), "{raw}");
        }
        for &(raw, _) in &VALID_CNPJS {
            let expected = if raw.bytes().all(|b| b.is_ascii_digit()) { WrongLength } else { InvalidCharacter };
            assert_eq!(Document::parse(Cpf, raw), Err(expected), "{raw}");
        }
    }

    #[test]
    fn official_alphanumeric_cnpj_example() {
        let doc = Document::parse(Cnpj, "12.ABC.345/01DE-35").unwrap();
        assert_eq!(doc.as_str(), "12ABC34501DE35");
        assert_eq!(doc.formatted(), "12.ABC.345/01DE-35");
    }

    #[test]
    fn lowercase_cnpj_is_uppercased() {
        for input in ["12.abc.345/01de-35", "12abc34501de35", "12.AbC.345/01dE-35"] {
            let doc = Document::parse(Cnpj, input).unwrap();
            assert_eq!(doc.as_str(), "12ABC34501DE35");
            assert_eq!(doc.formatted(), "12.ABC.345/01DE-35");
            assert_eq!(doc, Document::parse(Cnpj, "12ABC34501DE35").unwrap());
        }
    }

    #[test]
    fn separators_and_whitespace_are_ignored_anywhere() {
        for input in [" 529.982.247-25 ", "529 982 247 25", "529982247/25", "5-2-9.9/8 2\t2\n4725", "52998224725."] {
            assert_eq!(Document::parse(Cpf, input).unwrap().as_str(), "52998224725", "{input:?}");
        }
        for input in ["11 222 333 0001 81", " 11.222.333/0001-81\n", "11222333-000181", "1.1/2-2 2333000181"] {
            assert_eq!(Document::parse(Cnpj, input).unwrap().as_str(), "11222333000181", "{input:?}");
        }
    }

    #[test]
    fn empty_input() {
        for kind in [Cpf, Cnpj] {
            for input in ["", " ", "\t\n", " . - / "] {
                assert_eq!(Document::parse(kind, input), Err(Empty), "{kind} {input:?}");
            }
        }
    }

    #[test]
    fn wrong_length() {
        for input in ["5", "5299822472", "529.982.247-2", "529982247250", "5299822472500000"] {
            assert_eq!(Document::parse(Cpf, input), Err(WrongLength), "{input:?}");
        }
        // Letters in the last two positions of a wrong-length CNPJ cannot be placed yet, so length wins.
        for input in ["1", "1122233300018", "11.222.333/0001-811", "12ABC34501DE3", "12ABC34501DEAB5", "12ABC34501DE"] {
            assert_eq!(Document::parse(Cnpj, input), Err(WrongLength), "{input:?}");
        }
    }

    #[test]
    fn invalid_characters() {
        let cpf = [
            "5299822472A",
            "a29982247-25",
            "529_982_247_25",
            "529,982,247-25",
            "529.982.247+25",
            "５29982247-25",
            "529982247é25",
            "x",
        ];
        for input in cpf {
            assert_eq!(Document::parse(Cpf, input), Err(InvalidCharacter), "{input:?}");
        }
        let cnpj = [
            "12ABC34501DE3A",
            "12ABC34501DEA5",
            "12.ABC.345/01DE-AB",
            "11.222.333/0001-8a",
            "11.222.333/0001-8#",
            "11_222_333_0001_81",
            "11.222.333\\0001-81",
            "ÇÇ.222.333/0001-81",
            "*",
        ];
        for input in cnpj {
            assert_eq!(Document::parse(Cnpj, input), Err(InvalidCharacter), "{input:?}");
        }
    }

    #[test]
    fn repeated_characters() {
        for d in '0'..='9' {
            // These all satisfy the check-digit arithmetic, so only the repetition rule can refuse them.
            let cpf = d.to_string().repeat(11);
            assert_eq!(Document::parse(Cpf, &cpf), Err(RepeatedDigits), "{cpf}");
            let cnpj = d.to_string().repeat(14);
            assert_eq!(Document::parse(Cnpj, &cnpj), Err(RepeatedDigits), "{cnpj}");
        }
        assert_eq!(Document::parse(Cpf, "111.111.111-11"), Err(RepeatedDigits));
        assert_eq!(Document::parse(Cnpj, "00.000.000/0000-00"), Err(RepeatedDigits));
    }

    #[test]
    fn repeated_inputs_would_otherwise_pass_the_check_digits() {
        for d in '0'..='9' {
            let cpf = d.to_string().repeat(11);
            assert!(check_digits_match(Cpf, &cpf), "{cpf}");
        }
        assert!(check_digits_match(Cnpj, "00000000000000"));
    }

    #[test]
    fn wrong_check_digits() {
        for input in ["529.982.247-24", "529.982.247-15", "123.456.789-10", "111.444.777-53"] {
            assert_eq!(Document::parse(Cpf, input), Err(CheckDigits), "{input}");
        }
        for input in ["11.222.333/0001-80", "11.222.333/0001-18", "12.ABC.345/01DE-53", "12.ABD.345/01DE-35"] {
            assert_eq!(Document::parse(Cnpj, input), Err(CheckDigits), "{input}");
        }
    }

    #[test]
    fn every_single_changed_check_digit_is_rejected() {
        for kind in [Cpf, Cnpj] {
            for &(raw, _) in valid(kind) {
                for position in [raw.len() - 2, raw.len() - 1] {
                    for digit in b'0'..=b'9' {
                        let mut bytes = raw.as_bytes().to_vec();
                        if bytes[position] == digit {
                            continue;
                        }
                        bytes[position] = digit;
                        let changed = String::from_utf8(bytes).unwrap();
                        assert_eq!(Document::parse(kind, &changed), Err(CheckDigits), "{kind} {changed}");
                    }
                }
            }
        }
    }

    #[test]
    fn formatted_is_format_partial_of_the_value() {
        for kind in [Cpf, Cnpj] {
            for &(raw, formatted) in valid(kind) {
                let doc = Document::parse(kind, raw).unwrap();
                assert_eq!(format_partial(kind, doc.as_str()), formatted);
                assert_eq!(format_partial(kind, formatted), formatted);
            }
        }
    }

    #[test]
    fn format_partial_cpf() {
        let cases = [
            ("", ""),
            ("1", "1"),
            ("123", "123"),
            ("1234", "123.4"),
            ("123456", "123.456"),
            ("1234567", "123.456.7"),
            ("123456789", "123.456.789"),
            ("1234567890", "123.456.789-0"),
            ("12345678909", "123.456.789-09"),
            ("1234567890912345", "123.456.789-09"),
            ("12a3b4", "123.4"),
            ("123.4", "123.4"),
            ("123.", "123"),
            (" 1é2 3-4 ", "123.4"),
            ("abc", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(format_partial(Cpf, input), expected, "{input:?}");
        }
    }

    #[test]
    fn format_partial_cnpj() {
        let cases = [
            ("", ""),
            ("1", "1"),
            ("12", "12"),
            ("123", "12.3"),
            ("12345", "12.345"),
            ("1234567", "12.345.67"),
            ("12345678", "12.345.678"),
            ("123456789", "12.345.678/9"),
            ("123456780001", "12.345.678/0001"),
            ("1234567800019", "12.345.678/0001-9"),
            ("12345678000195", "12.345.678/0001-95"),
            ("123456780001951234", "12.345.678/0001-95"),
            ("12abc", "12.ABC"),
            ("12abc34501de35", "12.ABC.345/01DE-35"),
            ("12.ABC.345/01DE-35", "12.ABC.345/01DE-35"),
            // Letters cannot be check digits, so they are dropped once the body is complete.
            ("12ABC34501DEX", "12.ABC.345/01DE"),
            ("12ABC34501DEX35", "12.ABC.345/01DE-35"),
            ("12ABC34501DE3x5", "12.ABC.345/01DE-35"),
            ("12ABC34501DE359", "12.ABC.345/01DE-35"),
            ("1_2*A Ç", "12.A"),
            ("#!", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(format_partial(Cnpj, input), expected, "{input:?}");
        }
    }

    #[test]
    fn format_partial_prefixes_grow_into_the_formatted_value() {
        for kind in [Cpf, Cnpj] {
            for &(raw, formatted) in valid(kind) {
                for typed in 0..=raw.len() {
                    let partial = format_partial(kind, &raw[..typed]);
                    assert!(formatted.starts_with(&partial), "{kind} {typed}: {partial}");
                    assert_eq!(partial.chars().filter(char::is_ascii_alphanumeric).count(), typed);
                    assert!(!partial.ends_with(is_separator), "{kind} {typed}: {partial}");
                    assert_eq!(format_partial(kind, &partial), partial, "not idempotent: {partial}");
                }
            }
        }
    }
}
