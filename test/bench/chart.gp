# The benchmark's chart. test/bench/run calls:
#   gnuplot -e "datadir='DIR'; out='FILE.png'" chart.gp
# with DIR holding fast_rps.dat, fast_p99.dat, cpu.dat, py_rps.dat,
# py_p99.dat, idle.dat, stream.dat and lifecycle.dat: one row per target, "label" then the values
# ("-" where there is none).
set terminal pngcairo size 1500,1650 font "sans,10"
set output out
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key tmargin center horizontal
set xtics rotate by -25 nooffset
set multiplot layout 4,2 title "holdfast vs HAProxy vs nginx in front of single-threaded backends (medians)"

set title "Fast C backend: throughput (req/s, higher is better)"
set yrange [0:*]
plot datadir.'/fast_rps.dat' using 2:xtic(1) title "1 client", \
     '' using 3 title "10 clients", '' using 4 title "100 clients"

set title "Fast C backend: p99 latency (ms, log scale, lower is better)"
set logscale y
set yrange [*:*]
plot datadir.'/fast_p99.dat' using 2:xtic(1) title "1 client", \
     '' using 3 title "10 clients", '' using 4 title "100 clients"
unset logscale y

set title "Proxy CPU per request (µs, fast backend, lower is better)"
set yrange [0:*]
plot datadir.'/cpu.dat' using 2:xtic(1) title "1 client", \
     '' using 3 title "10 clients", '' using 4 title "100 clients"

set title "Python HTTPServer: throughput (req/s)"
plot datadir.'/py_rps.dat' using 2:xtic(1) title "10 clients", \
     '' using 3 title "100 clients"

set title "Python HTTPServer: p99 latency (ms, log scale)"
set logscale y
set yrange [*:*]
plot datadir.'/py_p99.dat' using 2:xtic(1) title "10 clients", \
     '' using 3 title "100 clients"
unset logscale y

set title "RSS bytes per idle connection (10,000 held); worst small GET beside a slow reader\n(ms; a probe that timed out is drawn at its timeout)"
set yrange [0.1:*]
set logscale y
plot datadir.'/idle.dat' using 2:xtic(1) title "bytes / idle connection", \
     '' using 3 title "worst GET beside a slow reader (ms)"
unset logscale y

# has_stream, has_lifecycle: 0 when the run measured none (--only), as
# gnuplot stops at a plot without a single point.
set yrange [0:*]
if (has_stream) {
    set title "Streamed response (a line every 300 ms, no length):\nfirst byte after the request (ms, lower is better)"
    plot datadir.'/stream.dat' using 2:xtic(1) title "first byte (ms)"
} else {
    set multiplot next
}

if (has_lifecycle) {
    set title "Requests lost (lower is better): app killed and restarted under\n100 req/s; proxy's graceful stop under 8 keep-alive clients"
    plot datadir.'/lifecycle.dat' using 2:xtic(1) title "app restart", \
         '' using 3 title "proxy stop"
}
unset multiplot
