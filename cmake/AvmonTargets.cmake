# Shared target conventions: warnings as errors, optional sanitizers, small helpers.

add_library(avmon_build_flags INTERFACE)
target_compile_options(avmon_build_flags INTERFACE -Wall -Wextra -Werror)
if(AVMON_SANITIZE)
  target_compile_options(avmon_build_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(avmon_build_flags INTERFACE -fsanitize=address,undefined)
endif()

# avmon_add_library(NAME SOURCES ... [DEPS ...]) : a component library that includes from the repo root.
function(avmon_add_library name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC avmon_build_flags ${A_DEPS})
endfunction()

# avmon_add_test(NAME SOURCES ... [DEPS ...] [LABELS ...]) : a Catch2 v2 test binary run under ctest.
function(avmon_add_test name)
  cmake_parse_arguments(A "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE avmon_build_flags Catch2::Catch2WithMain ${A_DEPS})
  target_compile_definitions(${name} PRIVATE
    AVMON_SOURCE_DIR="${PROJECT_SOURCE_DIR}" AVMON_BINARY_DIR="${PROJECT_BINARY_DIR}")
  catch_discover_tests(${name} PROPERTIES LABELS "${A_LABELS}")
endfunction()

# Adds every immediate sub-folder of DIR that has a CMakeLists.txt, so components can be
# added without editing a shared list.
function(avmon_add_subdirectories dir)
  file(GLOB children LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/${dir}/*)
  list(SORT children)
  foreach(child ${children})
    get_filename_component(leaf ${child} NAME)
    if(IS_DIRECTORY ${child} AND EXISTS ${child}/CMakeLists.txt AND NOT leaf STREQUAL "core")
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
