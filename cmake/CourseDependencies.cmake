# Every library the course uses, from Debian's packages. A missing one stops the
# configuration with the name of the package to install (./course install does it).
macro(course_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "${what} was not found. Install it with:\n  sudo apt-get install ${package}\n(or run ./course install, which installs everything the course needs)")
  endif()
endmacro()

find_package(Armadillo QUIET)
course_require(ARMADILLO_FOUND "Armadillo" "libarmadillo-dev libopenblas-dev")
# Debian's Armadillo calls whatever libblas.so.3 the alternatives system points to.
# Say which one that is: the speed of every chapter depends on it.
set(course_blas "unknown")
foreach(candidate /etc/alternatives/libblas.so.3-x86_64-linux-gnu /etc/alternatives/libblas.so.3-aarch64-linux-gnu /etc/alternatives/libblas.so.3)
  if(EXISTS ${candidate})
    file(REAL_PATH ${candidate} course_blas)
    break()
  endif()
endforeach()
if(course_blas MATCHES "openblas")
  message(STATUS "Armadillo ${ARMADILLO_VERSION_STRING} on OpenBLAS (${course_blas})")
else()
  message(WARNING "Armadillo ${ARMADILLO_VERSION_STRING} runs on the BLAS at '${course_blas}', not OpenBLAS: "
                  "the course will be slow. Install libopenblas-dev (./course install) or select it with "
                  "'update-alternatives --config libblas.so.3-$(uname -m)-linux-gnu'.")
endif()
set(COURSE_BLAS_LIBRARY "${course_blas}" CACHE INTERNAL "BLAS library behind Armadillo")

find_package(ZLIB QUIET)
course_require(ZLIB_FOUND "zlib" "zlib1g-dev")

# libpng reads the digit images that chapter 11 classifies (and writes its test images).
find_package(PNG QUIET)
course_require(PNG_FOUND "libpng" "libpng-dev")

find_package(CLI11 CONFIG QUIET)
course_require(CLI11_FOUND "CLI11" "libcli11-dev")

# gnuplot-iostream is one header; it needs Boost iostreams and filesystem, linked here
# (not through the package's own CMake file).
find_path(GNUPLOT_IOSTREAM_INCLUDE_DIR gnuplot-iostream.h)
set(gnuplot_iostream_found OFF)
if(GNUPLOT_IOSTREAM_INCLUDE_DIR)
  set(gnuplot_iostream_found ON)
endif()
course_require(gnuplot_iostream_found "gnuplot-iostream (gnuplot-iostream.h)" "libgnuplot-iostream-dev")
find_package(Boost QUIET COMPONENTS iostreams filesystem)
course_require(Boost_FOUND "Boost iostreams and filesystem" "libboost-iostreams-dev libboost-filesystem-dev")

find_program(GNUPLOT_EXECUTABLE gnuplot)
if(GNUPLOT_EXECUTABLE)
  execute_process(COMMAND ${GNUPLOT_EXECUTABLE} -e "set terminal pngcairo" RESULT_VARIABLE pngcairo_rc ERROR_QUIET OUTPUT_QUIET)
  if(NOT pngcairo_rc EQUAL 0)
    message(WARNING "gnuplot at ${GNUPLOT_EXECUTABLE} has no pngcairo terminal: figures will be CSV only (install gnuplot-nox)")
  endif()
else()
  message(WARNING "gnuplot not found: programs will write their figures' data as CSV but no PNG (install gnuplot-nox)")
endif()

if(COURSE_BUILD_TESTS)
  find_package(GTest QUIET)
  course_require(GTest_FOUND "GoogleTest" "libgtest-dev")
  include(GoogleTest)
endif()
if(COURSE_BUILD_BENCH)
  find_package(benchmark QUIET)
  course_require(benchmark_FOUND "Google Benchmark" "libbenchmark-dev")
endif()
find_package(Threads REQUIRED)
