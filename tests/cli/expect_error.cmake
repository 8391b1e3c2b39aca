# Runs ${NMTX} with the ;-separated ARGS and requires a clean failure: a numeric non-zero
# exit status (not a crash by signal) and a message on stderr matching EXPECT.
execute_process(COMMAND ${NMTX} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc MATCHES "^[0-9]+$" OR rc EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit status, got '${rc}'\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "${EXPECT}")
  message(FATAL_ERROR "stderr does not match '${EXPECT}':\n${err}")
endif()
