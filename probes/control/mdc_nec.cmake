# Samsung MDC and NEC display control: included by probes/control/CMakeLists.txt.
# The codecs are asio-free (the fuzzers compile them directly); the probes sit on probes/link/.
avmon_add_library(avmon_mdc_nec_codecs
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_codec.cpp ${CMAKE_CURRENT_LIST_DIR}/nec_codec.cpp)

# Helpers the two probes share (metric mapping is asio-free; the session sits on avmon_link).
avmon_add_library(avmon_probe_mdc_nec
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_nec_metrics.cpp ${CMAKE_CURRENT_LIST_DIR}/mdc_nec_session.cpp
          ${CMAKE_CURRENT_LIST_DIR}/mdc_probe.cpp ${CMAKE_CURRENT_LIST_DIR}/nec_probe.cpp
  DEPS avmon_mdc_nec_codecs avmon_link avmon_core)
# avmon_control (probes/control/CMakeLists.txt) links these and dispatches "mdc"/"nec" to us.
list(APPEND AVMON_CONTROL_EXTRA_LIBS avmon_probe_mdc_nec)
