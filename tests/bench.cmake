# confab-bench: a unit test of its pure parts, and a short signaling run
# against a real confab inside a private network namespace
# (bench/signaling.sh re-enters tests/e2e/netns.sh). The run asserts
# correctness only: every join succeeds, no chat message is lost, the JSON
# report is well formed (bench/summary.mjs, needs node). No timing
# thresholds: figures belong in docs/benchmarks.md, not in CI.
add_executable(test_bench_codec ${PROJECT_SOURCE_DIR}/bench/test_bench_codec.c)
target_include_directories(test_bench_codec PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(test_bench_codec PRIVATE confab_bench_codec)
add_test(NAME test_bench_codec COMMAND test_bench_codec)
set_tests_properties(test_bench_codec PROPERTIES LABELS "unit;bench" TIMEOUT 60)

add_test(NAME bench_signaling_smoke
         COMMAND sh ${PROJECT_SOURCE_DIR}/bench/signaling.sh -n 1
                 -o ${CMAKE_BINARY_DIR}/bench-smoke --
                 --peers 50 --rooms 5 --join-rate 100 --chat-rate 2 --duration 3)
set_tests_properties(bench_signaling_smoke PROPERTIES
  LABELS bench
  RUN_SERIAL TRUE
  TIMEOUT 180
  ENVIRONMENT "CONFAB_BIN=$<TARGET_FILE:confab>;CONFAB_BENCH_BIN=$<TARGET_FILE:confab-bench>")

# The media modes (issue 4): 1 room, 2 publishers, 3 receive-only
# subscribers for ~5 s against a real confab in a private namespace
# (bench/media.sh). Asserts correctness only: every expected track is
# received, nothing is lost on loopback, the JSON report is well formed
# (bench/summary.mjs, which also fails on any problem the report lists).
add_test(NAME bench_media_smoke
         COMMAND sh ${PROJECT_SOURCE_DIR}/bench/media.sh -n 1
                 -o ${CMAKE_BINARY_DIR}/bench-media-smoke --
                 --rooms 1 --publishers 2 --subscribers 3 --duration 5)
set_tests_properties(bench_media_smoke PROPERTIES
  LABELS bench
  RUN_SERIAL TRUE
  TIMEOUT 180
  ENVIRONMENT "CONFAB_BIN=$<TARGET_FILE:confab>;CONFAB_BENCH_BIN=$<TARGET_FILE:confab-bench>")

# The STUN mode (issue 6): confab-stun and, when installed, coturn, one run
# of 2 s each in a private namespace (bench/stun.sh). Asserts correctness
# only: every answer matched an outstanding request and carried the
# client's own address, nothing was lost, the JSON report is well formed.
add_test(NAME bench_stun_smoke
         COMMAND sh ${PROJECT_SOURCE_DIR}/bench/stun.sh -n 1 -d 2
                 -o ${CMAKE_BINARY_DIR}/bench-stun-smoke)
set_tests_properties(bench_stun_smoke PROPERTIES
  LABELS "bench;stun"
  RUN_SERIAL TRUE
  TIMEOUT 120
  ENVIRONMENT "CONFAB_STUN_BIN=$<TARGET_FILE:confab-stun>;CONFAB_BENCH_BIN=$<TARGET_FILE:confab-bench>")

# The Janus target (issue 4), against Debian's janus 1.1.2 in a private
# network namespace (bench/janus/run.sh): janus_probe's signaling (session,
# handle, room, join, the bench's publish offer answered) and 2 s of real
# media to a subscriber with every track received and nothing lost.
# Skipped (77) when janus is not installed.
add_test(NAME bench_janus_smoke
         COMMAND sh ${PROJECT_SOURCE_DIR}/bench/janus/smoke.sh $<TARGET_FILE:janus_probe> 2)
set_tests_properties(bench_janus_smoke PROPERTIES
  LABELS bench
  RUN_SERIAL TRUE
  TIMEOUT 90
  SKIP_RETURN_CODE 77)
