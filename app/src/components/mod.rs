pub mod layout;
pub mod locale_switcher;
