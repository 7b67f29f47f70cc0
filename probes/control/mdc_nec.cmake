# Samsung MDC and NEC display control: included by probes/control/CMakeLists.txt.
# The codecs are asio-free (the fuzzers compile them directly); the probes sit on probes/link/.
avmon_add_library(avmon_mdc_nec_codecs
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mdc_codec.cpp ${CMAKE_CURRENT_LIST_DIR}/nec_codec.cpp)
