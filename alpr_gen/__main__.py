from alpr_gen.cli import main

main()
