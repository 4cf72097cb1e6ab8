"""Provides one module per `unknot` subcommand, each with `add_arguments(parser)` and `run(args)`.

Modules here import only argparse at the top; heavy imports go inside `run`.
"""
