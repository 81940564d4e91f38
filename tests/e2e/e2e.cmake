# Browser end-to-end tests: real headless Chromium against a real confab,
# each run inside a private network namespace (netns.sh). They need
# /usr/bin/chromium, node and `npm ci` done in this directory.
set(CONFAB_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})

if(NOT EXISTS ${CONFAB_E2E_DIR}/node_modules/playwright-core)
  message(WARNING "tests/e2e: run `npm ci` in ${CONFAB_E2E_DIR} before ctest, or the e2e tests fail")
endif()

# name, then the hard limit in seconds
set(CONFAB_E2E_TESTS call 600 badinput 300 longpoll 600 protocol 300 icerestart 300 ui 600 client 300
    stun 240)
while(CONFAB_E2E_TESTS)
  list(POP_FRONT CONFAB_E2E_TESTS name timeout)
  add_test(NAME e2e_${name}
           COMMAND sh ${CONFAB_E2E_DIR}/netns.sh node --test --test-reporter=spec ${name}.test.mjs
           WORKING_DIRECTORY ${CONFAB_E2E_DIR})
  set_tests_properties(e2e_${name} PROPERTIES
    LABELS e2e
    TIMEOUT ${timeout}
    RUN_SERIAL TRUE
    ENVIRONMENT "CONFAB_BIN=$<TARGET_FILE:confab>;CONFAB_E2E_ARTIFACTS=${CMAKE_BINARY_DIR}/e2e-artifacts/${name}")
endwhile()
