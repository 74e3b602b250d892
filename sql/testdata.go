// Package sqlfiles embeds khompctl's SQL: the installer statements and, for
// tests only, the VICIdial DDL of the tables khompctl touches.
package sqlfiles

import "embed"

// TestSchema holds testdata/common.sql and one file per VICIdial schema
// generation (schema_1720.sql, schema_1728.sql).
//
//go:embed testdata/*.sql
var TestSchema embed.FS
