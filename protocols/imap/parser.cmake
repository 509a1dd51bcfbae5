# The IMAP command parser: pure syntax, no I/O (included by CMakeLists.txt in this folder).
add_library(mallard_imap_parser STATIC
  ${CMAKE_CURRENT_LIST_DIR}/command_syntax.cpp
  ${CMAKE_CURRENT_LIST_DIR}/date_time.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fetch_syntax.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/search_syntax.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sequence_set.cpp
  ${CMAKE_CURRENT_LIST_DIR}/syntax_reader.cpp
)

mallard_test(imap_parser_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/parser_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/search_syntax_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/fetch_syntax_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/sequence_set_test.cpp
  LIBS mallard_imap_parser)

# The fuzz entry point replayed over its seed corpus in every test run, without clang or libFuzzer.
if(MALLARD_TESTS AND NOT MALLARD_FUZZ)
  add_executable(imap_parser_fuzz_replay ${CMAKE_CURRENT_LIST_DIR}/parser_fuzz.cpp
                                         ${PROJECT_SOURCE_DIR}/storage/mime/fuzz_replay_main.cpp)
  target_link_libraries(imap_parser_fuzz_replay PRIVATE mallard_imap_parser)
  add_test(NAME imap_parser_fuzz_replay
           COMMAND imap_parser_fuzz_replay ${PROJECT_SOURCE_DIR}/test/fuzz/imap)
  set_tests_properties(imap_parser_fuzz_replay PROPERTIES TIMEOUT 300)
endif()
