// Package lang speaks the user's language: it picks English, Spanish or
// Portuguese from a Slack locale or the environment, and translates what
// policycheck says from the message catalogs embedded from catalog/, one
// file per language.
//
// The English text is the key of a message, as with golang.org/x/text's
// catalogs, so that code reads as it prints in English, and a message
// missing from a catalog prints in English rather than failing. Plural
// messages select their form with CLDR's plural rules
// (golang.org/x/text/feature/plural): "1 finding", "3 findings", "1
// hallazgo", "3 hallazgos". Numbers are formatted as fmt formats them, in
// every language, so that English output is what it was before
// translation and a line number reads the same everywhere.
//
// The texts of the engine's rules are keyed by rule id (assistant/rules)
// and keep the registry's {placeholders}; a rule missing from a catalog
// is rendered in English. Report rewrites a report's findings and summary
// in a language; identifiers (rule ids, categories, severities in JSON,
// action names, ARNs) are never translated.
package lang
