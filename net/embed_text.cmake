# Writes OUTPUT, a C++ file whose function NAME returns the text of INPUT as it is: the
# binary then serves that file without finding it on disk at run time.
#   cmake -DINPUT=… -DOUTPUT=… -DNAME=… -P embed_text.cmake
file(READ "${INPUT}" text)
if(text MATCHES "\\)settle_embedded\"")
  message(FATAL_ERROR "${INPUT} holds the raw string's end marker")
endif()
file(WRITE "${OUTPUT}.new"
  "// Generated from ${INPUT} by net/embed_text.cmake: do not edit.\n"
  "#include <string_view>\n\n"
  "namespace settle::net {\n\n"
  "std::string_view ${NAME}() {\n"
  "  static constexpr char text[] = R\"settle_embedded(${text})settle_embedded\";\n"
  "  return {text, sizeof(text) - 1};\n"
  "}\n\n"
  "} // namespace settle::net\n")
# Rewritten only when it changes, so that an unchanged document compiles nothing again.
file(COPY_FILE "${OUTPUT}.new" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.new")
