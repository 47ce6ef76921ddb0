"""A Model built in Python (not through model_from_dict) with a string field.

The reported case of issue 14 (/work/shared/cases/surfaces/api_string_field.py): the
string used to reach sympy.sympify (eval) in Model.numeric via validate_model. Run it
in an empty folder: it must print no "canary file created: True".
"""

import os

import sympy

import bargain
from bargain import Model, Party, Variable

x = sympy.Symbol("x", real=True)
INJECTION = "__import__('os').system('touch canary_api_bp') or 1"
try:
    m = Model(
        name="m",
        parameters=(),
        variables=(Variable("x", sympy.S(0), sympy.S(1)),),
        parties=(
            Party("W", payoff=x, bargaining_power=INJECTION),
            Party("A", payoff=1 - x, bargaining_power=sympy.S(1)),
        ),
    )
    print(bargain.nash(m).agreement)
except bargain.BargainError as e:
    print(type(e).__name__, e)
print("canary file created:", os.path.exists("canary_api_bp"))
