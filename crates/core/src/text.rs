//! Bilingual text: every name a user sees has a Chinese and an English form.

use serde::{Deserialize, Serialize};

/// The language a user reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Parses `zh` / `en` (also `zh-CN`, `en_US.UTF-8`, …).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// `"zh"` or `"en"`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// A text in both languages. A missing form falls back to the other one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Text {
    /// English form.
    pub en: String,
    /// Chinese form.
    pub zh: String,
}

impl Text {
    /// A text from its English and Chinese forms.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Text { en: en.into(), zh: zh.into() }
    }

    /// The form in `lang`, falling back to the other language when empty.
    pub fn get(&self, lang: Lang) -> &str {
        let (a, b) = match lang {
            Lang::En => (&self.en, &self.zh),
            Lang::Zh => (&self.zh, &self.en),
        };
        if a.is_empty() { b } else { a }
    }

    /// True when both forms are empty.
    pub fn is_empty(&self) -> bool {
        self.en.is_empty() && self.zh.is_empty()
    }
}

/// Picks the English or Chinese literal for `lang`; used for user-facing messages.
pub fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn falls_back_to_other_language() {
        let t = Text::new("Shenzhen", "");
        assert_eq!(t.get(Lang::Zh), "Shenzhen");
        assert_eq!(Text::new("a", "甲").get(Lang::Zh), "甲");
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
    }
}
