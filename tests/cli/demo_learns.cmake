# Trains `nmtx demo --variant VARIANT --task TASK --steps STEPS` and requires its greedy
# exact-match accuracy to be at least MIN (or, with MAX, at most MAX: a variant that
# must fail at a task).
execute_process(COMMAND ${NMTX} demo --variant ${VARIANT} --task ${TASK} --steps ${STEPS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nmtx demo exited with ${rc}: ${err}")
endif()
if(NOT out MATCHES "exact match on 200 held-out sentences: ([0-9.]+)%")
  message(FATAL_ERROR "no accuracy line in:\n${out}")
endif()
set(accuracy ${CMAKE_MATCH_1})
if(DEFINED MIN AND accuracy LESS MIN)
  message(FATAL_ERROR "${VARIANT} on ${TASK}: accuracy ${accuracy}% is below ${MIN}%:\n${out}")
endif()
if(DEFINED MAX AND accuracy GREATER MAX)
  message(FATAL_ERROR "${VARIANT} on ${TASK}: accuracy ${accuracy}% is above ${MAX}%:\n${out}")
endif()
message(STATUS "${VARIANT} on ${TASK}: ${accuracy}%")
