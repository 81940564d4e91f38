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
