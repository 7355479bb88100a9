package gen

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// excerpt quotes the lines of src around line (1-based), numbered, for an
// internal error about generated text: enough to see what is wrong, never
// the whole document (a synthesized schema runs to tens of kilobytes).
func excerpt(src string, line int) string {
	const around, width = 2, 120
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		line = 1
	}
	var b strings.Builder
	for i := max(line-around, 1); i <= min(line+around, len(lines)); i++ {
		text := lines[i-1]
		if utf8.RuneCountInString(text) > width {
			text = string([]rune(text)[:width]) + "…"
		}
		mark := " "
		if i == line {
			mark = ">"
		}
		fmt.Fprintf(&b, "\n\t%s%5d | %s", mark, i, text)
	}
	return b.String()
}
