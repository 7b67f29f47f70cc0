# Samsung MDC and NEC tests: included by tests/control/CMakeLists.txt.
avmon_add_test(control_mdc_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_codec_test.cpp DEPS avmon_mdc_nec_codecs LABELS control)
avmon_add_test(control_nec_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/nec_codec_test.cpp DEPS avmon_mdc_nec_codecs LABELS control)

# The probes against simulators (tests/sims/) over socat pty pairs and TCP.
add_executable(mdc_nec_poll ${CMAKE_CURRENT_LIST_DIR}/mdc_nec_poll_main.cpp)
target_link_libraries(mdc_nec_poll PRIVATE avmon_build_flags avmon_probe_mdc_nec)

foreach(case serial stall replug nak tcp)
  add_test(NAME control.mdc.${case}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/mdc_${case}_test.sh $<TARGET_FILE:mdc_nec_poll> ${PROJECT_SOURCE_DIR}/tests/sims)
  set_tests_properties(control.mdc.${case} PROPERTIES LABELS "control;serial" TIMEOUT 60)
endforeach()
foreach(case serial fault tcp)
  add_test(NAME control.nec.${case}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/nec_${case}_test.sh $<TARGET_FILE:mdc_nec_poll> ${PROJECT_SOURCE_DIR}/tests/sims)
  set_tests_properties(control.nec.${case} PROPERTIES LABELS "control;serial" TIMEOUT 60)
endforeach()
avmon_add_test(control_mdc_nec_profile_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_nec_profile_test.cpp DEPS avmon_probe_mdc_nec avmon_control avmon_config LABELS control)
