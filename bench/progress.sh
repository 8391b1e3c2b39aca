# Sourced by the bench/*.sh runners: one progress line on stderr after each round.
#   round_done LABEL   (needs done_rounds, total and start=$SECONDS set by the caller)
round_done() {
  done_rounds=$((done_rounds + 1))
  local elapsed=$((SECONDS - start))
  printf '\r%s: %d/%d done, %ds elapsed, about %ds left   ' "$1" "$done_rounds" "$total" "$elapsed" \
    $((elapsed * (total - done_rounds) / done_rounds)) >&2
}
