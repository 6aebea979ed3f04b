# How a chapter is built.
#
# Each library of the course (common/ and every chapter's lesson code) is compiled
# twice from the same sources:
#   <name>          for the programs and benchmarks: in Release with ARMA_NO_DEBUG;
#   <name>_checked  for the tests: Armadillo's bounds and size checks always on.
# Code is included by its path from the repository's root
# ("chapters/04_xor/xor.hpp"), so a learner's workspace (COURSE_WORKSPACE) can
# shadow any lesson file: its root comes first on the include path and its .cpp
# files replace the reference ones of the same path.

function(course_source_path out rel)
  if(COURSE_WORKSPACE AND EXISTS "${COURSE_WORKSPACE}/${rel}")
    set(${out} "${COURSE_WORKSPACE}/${rel}" PARENT_SCOPE)
  else()
    set(${out} "${PROJECT_SOURCE_DIR}/${rel}" PARENT_SCOPE)
  endif()
endfunction()

# The C++ standard is set once, in the top CMakeLists.txt (CMAKE_CXX_STANDARD 20).
function(course_set_common_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(COURSE_WORKSPACE)
    target_include_directories(${target} BEFORE PUBLIC ${COURSE_WORKSPACE})
  endif()
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()

# ARMA_NO_DEBUG (no bounds or size checks) for the fast libraries and everything
# built on them, in Release only: one definition for every target that shares
# Armadillo's templates, so no template is compiled both with and without it.
function(course_fast_definitions target scope)
  target_compile_definitions(${target} ${scope} $<$<CONFIG:Release>:ARMA_NO_DEBUG>)
endfunction()

# course_library(<name> SOURCES <paths relative to the repository root> LINK <course libraries> [EXTERNAL <targets>])
function(course_library name)
  cmake_parse_arguments(LIB "" "" "SOURCES;LINK;EXTERNAL" ${ARGN})
  set(sources "")
  foreach(rel IN LISTS LIB_SOURCES)
    course_source_path(path ${rel})
    list(APPEND sources ${path})
  endforeach()
  foreach(variant IN ITEMS "" "_checked")
    set(target ${name}${variant})
    if(sources)
      add_library(${target} STATIC ${sources})
      set(scope PUBLIC)
    else()
      add_library(${target} INTERFACE)
      set(scope INTERFACE)
    endif()
    if(sources)
      course_set_common_options(${target})
    else()
      if(COURSE_WORKSPACE)
        target_include_directories(${target} BEFORE INTERFACE ${COURSE_WORKSPACE})
      endif()
      target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR})
    endif()
    foreach(dep IN LISTS LIB_LINK)
      target_link_libraries(${target} ${scope} ${dep}${variant})
    endforeach()
    target_link_libraries(${target} ${scope} ${LIB_EXTERNAL})
    if(variant STREQUAL "")
      course_fast_definitions(${target} ${scope})
    endif()
  endforeach()
endfunction()

# course_chapter(<id> LESSON <files in this folder> PROGRAM <main file> USES <earlier chapter ids>
#                [EXTERNAL <imported targets>])
#   lesson library:  <id>_lesson (and <id>_lesson_checked for the tests)
#   program:         <id>, built into build/<preset>/bin/
#   EXTERNAL:        other libraries the lesson code needs (chapter 11: PNG::PNG)
function(course_chapter id)
  cmake_parse_arguments(CH "" "PROGRAM" "LESSON;USES;EXTERNAL" ${ARGN})
  file(RELATIVE_PATH chapter_dir ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  set(lesson_sources "")
  foreach(file IN LISTS CH_LESSON)
    list(APPEND lesson_sources ${chapter_dir}/${file})
  endforeach()
  set(links course_common)
  foreach(use IN LISTS CH_USES)
    list(APPEND links ${use}_lesson)
  endforeach()
  course_library(${id}_lesson SOURCES ${lesson_sources} LINK ${links} EXTERNAL ${CH_EXTERNAL})
  if(CH_PROGRAM)
    course_source_path(main ${chapter_dir}/${CH_PROGRAM})
    add_executable(${id} ${main})
    course_set_common_options(${id})
    target_link_libraries(${id} PRIVATE ${id}_lesson)
    set_target_properties(${id} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
  endif()
  set_property(GLOBAL APPEND PROPERTY COURSE_CHAPTERS ${id})
endfunction()
