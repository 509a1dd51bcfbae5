# The IMAP session: read loop, command table, commands/<family>.cpp (included by CMakeLists.txt here).
add_library(mallard_imap STATIC
  ${CMAKE_CURRENT_LIST_DIR}/capabilities.cpp
  ${CMAKE_CURRENT_LIST_DIR}/command_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/auth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/connection.cpp
)
target_link_libraries(mallard_imap PUBLIC mallard_imap_parser mallard_imap_render mallard_storage mallard_auth
                                          mallard_mime mallard_core)

mallard_test(imap_session_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)
