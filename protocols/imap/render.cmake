# IMAP response syntax built from storage/mime's tree: strings and literals, ENVELOPE, BODY and
# BODYSTRUCTURE, HEADER.FIELDS filtering, flag lists and date-time. Pure: no I/O, no store.
add_library(mallard_imap_render STATIC
  ${CMAKE_CURRENT_LIST_DIR}/bodystructure.cpp
  ${CMAKE_CURRENT_LIST_DIR}/envelope.cpp
  ${CMAKE_CURRENT_LIST_DIR}/header_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/render.cpp
)
target_link_libraries(mallard_imap_render PUBLIC mallard_mime mallard_imap_parser)  # date_time lives there

mallard_test(imap_render_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/bodystructure_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/render_test.cpp
  LIBS mallard_imap_render)
