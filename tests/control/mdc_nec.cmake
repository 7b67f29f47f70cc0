# Samsung MDC and NEC tests: included by tests/control/CMakeLists.txt.
avmon_add_test(control_mdc_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_codec_test.cpp DEPS avmon_mdc_nec_codecs LABELS control)
avmon_add_test(control_nec_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/nec_codec_test.cpp DEPS avmon_mdc_nec_codecs LABELS control)

# The probes against simulators (tests/sims/) over socat pty pairs and TCP.
add_executable(mdc_nec_poll ${CMAKE_CURRENT_LIST_DIR}/mdc_nec_poll_main.cpp)
target_link_libraries(mdc_nec_poll PRIVATE avmon_build_flags avmon_probe_mdc_nec)
