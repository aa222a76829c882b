# settle_library(NAME SOURCES... DEPENDS targets...): one library per source folder,
# with the project's warning flags; warnings are errors unless SETTLE_WERROR is off.
option(SETTLE_WERROR "Treat warnings in the project's own code as errors" ON)

function(settle_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  if(SETTLE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(settle_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPENDS})
  settle_warnings(${name})
endfunction()
