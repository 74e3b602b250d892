package install

import "strings"

// DefaultStatusMapSHA256 is the sha256 of the KHOMPSTATUSMAP entry VICIdial
// ships: 158 CRLF-separated lines, 16582 bytes, no trailing CRLF.
const DefaultStatusMapSHA256 = "70b194eee13db845adb11de1a03364265c5a7c7d22c9393307af290e61079fcd"

// DefaultStatusMap returns the default KHOMPSTATUSMAP entry in the exact
// bytes VICIdial's runtime parses: lines joined with CRLF, no final CRLF.
func DefaultStatusMap() string { return strings.Join(defaultMapLines, "\r\n") }
