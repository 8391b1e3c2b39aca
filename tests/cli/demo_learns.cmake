# Trains `nmtx demo --variant VARIANT --task TASK --steps STEPS` with seeds 1, 2 and 3.
# With MIN: at least two of the three runs reach MIN% greedy exact match (training is
# chaotic: one seed may settle in a local optimum, and a rounding change may move it).
# With MAX: every run stays at or below MAX% (a variant that must fail at a task).
set(passed 0)
set(report "")
foreach(seed 1 2 3)
  execute_process(COMMAND ${NMTX} demo --variant ${VARIANT} --task ${TASK} --steps ${STEPS} --seed ${seed}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nmtx demo exited with ${rc}: ${err}")
  endif()
  if(NOT out MATCHES "exact match on 200 held-out sentences: ([0-9.]+)%")
    message(FATAL_ERROR "no accuracy line in:\n${out}")
  endif()
  set(accuracy ${CMAKE_MATCH_1})
  string(APPEND report " seed ${seed}: ${accuracy}%")
  if(DEFINED MIN AND NOT accuracy LESS MIN)
    math(EXPR passed "${passed} + 1")
  endif()
  if(DEFINED MAX AND accuracy GREATER MAX)
    message(FATAL_ERROR "${VARIANT} on ${TASK}: ${accuracy}% with seed ${seed} is above ${MAX}%")
  endif()
endforeach()
if(DEFINED MIN AND passed LESS 2)
  message(FATAL_ERROR "${VARIANT} on ${TASK}: fewer than two of three seeds reach ${MIN}%:${report}")
endif()
message(STATUS "${VARIANT} on ${TASK}:${report}")
