from llm_cost_cli.cli import main

main()
