# Sourced by .ci/test and .ci/run. The gateway's --redis tests keep 1,000
# connections open at once (and each gateway as many again upstream): a
# soft limit of 1,024 open files, common, is too low. Raised for the shell
# that sources this and what it runs.
if [[ $(ulimit -n) != unlimited && $(ulimit -n) -lt 4096 ]]; then
    ulimit -Sn 4096 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
fi
