"""`make bench`: performance figures for the issue targets, printed and saved in bench/results/."""
