# confab-stun against independent clients (issue 6), each test inside a
# private network namespace it builds (tests/e2e/netns.sh): Debian's
# stun-client and coturn's turnutils_stunclient (scripts/deps.sh --test), a
# TCP client in node, and behind an iptables MASQUERADE NAT a libnice agent
# (nice_srflx) and headless Chromium (chromium_srflx.mjs) that must gather
# the NAT's address as a srflx candidate.
add_executable(nice_srflx ${CMAKE_CURRENT_LIST_DIR}/nice_srflx.c)
target_link_libraries(nice_srflx PRIVATE PkgConfig::NICE PkgConfig::GLIB)

add_test(NAME stun_clients
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/clients.sh $<TARGET_FILE:confab-stun>)
add_test(NAME stun_nat
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/nat.sh $<TARGET_FILE:confab-stun>
                 $<TARGET_FILE:nice_srflx>)
set_tests_properties(stun_clients stun_nat PROPERTIES LABELS stun TIMEOUT 180 RUN_SERIAL TRUE)
