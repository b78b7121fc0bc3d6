package metrics

import "github.com/kobanhq/koban"

func errInvalidFormat(format string) error {
	return koban.Errorf(koban.EInvalid, "report format %q: want md, csv, json, png or svg", format)
}
