package install

import (
	"fmt"
	"strings"
)

// SQLScript is the install as plain SQL for a DBA (khompctl install
// --print-sql, and sql/install.sql in the source tree): INSERT IGNORE with
// explicit columns, so it is safe to run twice and on both schema
// generations, and never overwrites an administrator's edits.
func SQLScript() string {
	var b strings.Builder
	b.WriteString("-- khompctl install: KHOMP statuses and settings containers for VICIdial.\n")
	b.WriteString("-- Idempotent: INSERT IGNORE never overwrites existing rows. Explicit column\n")
	b.WriteString("-- lists work with and without the modify_stamp columns (schema 1720 and 1728).\n")
	b.WriteString("-- Needs the default sql_mode (backslash escapes on, no NO_BACKSLASH_ESCAPES).\n")
	b.WriteString("-- Generated from pkg/install; do not edit by hand.\n\n")
	for _, s := range DefaultStatuses() {
		b.WriteString(literalSQL(insertStatusSQL("INSERT IGNORE"), s.values()))
		b.WriteString(";\n")
	}
	for _, c := range Containers() {
		b.WriteString("\n")
		b.WriteString(literalSQL(insertContainerSQL("INSERT IGNORE"), []any{c.ID, c.Notes, c.Type, c.Group, c.Entry}))
		b.WriteString(";\n")
	}
	return b.String()
}

// literalSQL replaces each '?' of query (which has no '?' of its own) by
// the quoted value.
func literalSQL(query string, args []any) string {
	var b strings.Builder
	i := 0
	for _, r := range query {
		if r == '?' {
			b.WriteString(quoteSQL(args[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// quoteSQL renders a value as a MySQL/MariaDB literal. Strings are escaped
// for the default sql_mode (backslash escapes on): NUL, LF, CR, backslash,
// both quotes and Ctrl-Z.
func quoteSQL(v any) string {
	s, ok := v.(string)
	if !ok {
		return fmt.Sprint(v)
	}
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b.WriteString(`\0`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '"':
			b.WriteString(`\"`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
