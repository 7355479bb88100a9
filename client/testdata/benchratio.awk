# benchratio.awk reads `go test -bench` output and prints, for every group
# of sub-benchmarks (the name up to its last "/"), the ratio of each
# variant's ns/op, B/op and allocs/op to the base variant's (default
# "handwritten"; pass -v base=NAME to change it). With -count > 1 (or the
# output of several runs) the values of a benchmark are averaged first;
# pass -v stat=median to take their median instead, which a few runs
# slowed by other load on the machine do not move. POSIX awk (mawk, gawk,
# busybox).
#
#   go test -run '^$' -bench BenchmarkGetTodo -benchmem -count 3 ./client/ > out.txt
#   awk -f client/testdata/benchratio.awk out.txt
#   awk -v stat=median -f client/testdata/benchratio.awk out.txt
BEGIN {
	if (base == "") base = "handwritten"
	if (stat == "") stat = "mean"
	nunits = split("ns/op B/op allocs/op", units, " ")
}
/^Benchmark/ {
	name = $1
	sub(/-[0-9]+$/, "", name)          # the -GOMAXPROCS suffix
	if (!(name in runs)) order[++nnames] = name
	r = ++runs[name]
	for (i = 3; i < NF; i++)
		for (u = 1; u <= nunits; u++)
			if ($(i + 1) == units[u]) {
				sum[name, units[u]] += $i
				val[name, units[u], r] = $i
			}
}
# value returns the mean or the median of the runs of name in unit.
function value(name, unit,    n, i, j, t, a) {
	n = runs[name]
	if (stat != "median") return sum[name, unit] / n
	for (i = 1; i <= n; i++) a[i] = val[name, unit, i] + 0
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	if (n % 2) return a[(n + 1) / 2]
	return (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	printf "%-32s %-16s %10s %10s %10s\n", "group", "variant/" base, "ns/op", "B/op", "allocs/op"
	for (k = 1; k <= nnames; k++) {
		name = order[k]
		slash = 0
		for (j = length(name); j > 0; j--) if (substr(name, j, 1) == "/") { slash = j; break }
		if (slash == 0) continue
		group = substr(name, 1, slash - 1)
		variant = substr(name, slash + 1)
		if (variant == base) continue
		b = group "/" base
		if (!(b in runs)) continue
		line = sprintf("%-32s %-16s", group, variant)
		for (u = 1; u <= nunits; u++) {
			num = value(name, units[u])
			den = value(b, units[u])
			if (den > 0) line = line sprintf(" %10.2f", num / den)
			else line = line sprintf(" %10s", "-")
		}
		print line
		found++
	}
	if (!found) { print "benchratio: no group has both a " base " and another variant" > "/dev/stderr"; exit 1 }
}
