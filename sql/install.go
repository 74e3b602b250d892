package sqlfiles

import _ "embed"

// InstallSQL is what `khompctl install` creates, as plain idempotent SQL
// for a DBA (INSERT IGNORE, explicit column lists). It is generated from
// pkg/install; a test there fails when this file is out of date
// (regenerate with: go test ./pkg/install -run TestInstallSQLFile -update).
//
//go:embed install.sql
var InstallSQL string
