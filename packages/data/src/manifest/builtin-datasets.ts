// The datasets ccl knows, registered beside their builders: importing this module registers them all. Every
// entry that looks datasets up (the main entry, '@ccl/data/media' through prepareDataset) imports it, so the
// registry is complete whichever entry a program loads first.
import './existing';
import './ucf101';
import './folder';
import './activitynet';
import './vggsound';
