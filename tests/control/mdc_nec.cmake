# Samsung MDC and NEC tests: included by tests/control/CMakeLists.txt.
avmon_add_test(control_mdc_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_codec_test.cpp DEPS avmon_mdc_nec_codecs LABELS control)
avmon_add_test(control_nec_codec_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/nec_codec_test.cpp DEPS avmon_mdc_nec_codecs LABELS control)
