from alpr_gen.entry import main

main()
