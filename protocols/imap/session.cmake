# The IMAP session: read loop, command table, commands/<family>.cpp (included by CMakeLists.txt here).
add_library(mallard_imap STATIC
  ${CMAKE_CURRENT_LIST_DIR}/capabilities.cpp
  ${CMAKE_CURRENT_LIST_DIR}/command_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/flag_names.cpp
  ${CMAKE_CURRENT_LIST_DIR}/list_pattern.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mailbox_feed.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mailbox_support.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mailbox_view.cpp
  ${CMAKE_CURRENT_LIST_DIR}/message_updates.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mutf7.cpp
  ${CMAKE_CURRENT_LIST_DIR}/session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/session_sync.cpp
  ${CMAKE_CURRENT_LIST_DIR}/view_sync.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/append.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/auth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/connection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/copy_move.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/expunge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/fetch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/idle.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/fetch_binary.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/list.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/mailbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/search.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/quota.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/select.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/status.cpp
  ${CMAKE_CURRENT_LIST_DIR}/commands/store.cpp
)
target_link_libraries(mallard_imap PUBLIC mallard_imap_parser mallard_imap_render mallard_storage mallard_storage_notify mallard_auth
                                          mallard_mime mallard_core)

mallard_test(imap_session_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/session_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_idle_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/idle_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_mailbox_commands_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mailbox_commands_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_mailbox_names_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/list_pattern_test.cpp ${CMAKE_CURRENT_LIST_DIR}/mutf7_test.cpp
  LIBS mallard_imap)

mallard_test(imap_mailbox_view_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mailbox_view_test.cpp ${CMAKE_CURRENT_LIST_DIR}/flag_names_test.cpp
           ${CMAKE_CURRENT_LIST_DIR}/view_sync_test.cpp
  LIBS mallard_imap)

mallard_test(imap_mailbox_feed_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mailbox_feed_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_select_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/select_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_fetch_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fetch_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_search_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/search_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_append_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/append_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_quota_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/quota_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_condstore_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/condstore_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_store_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/store_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_copy_move_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/copy_move_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)

mallard_test(imap_connection_limits_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/connection_limits_test.cpp
  LIBS mallard_imap mallard_storage_sqlite)
